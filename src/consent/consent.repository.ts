import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export interface ConsentCustomerRow {
  id: string;
  status: string;
  merged_into: string | null;
  birth_year: number | null;
  birth_month: number | null;
  birth_day: number | null;
  time_zone: string;
  restricted: boolean;
}

export interface ConsentEventRow {
  id: string;
  customer_id: string;
  purpose: string;
  channel: string;
  status: string;
  source: string;
  evidence: Record<string, unknown>;
  guardian: { name: string; relation: string } | null;
  actor: string;
  occurred_at: Date;
  created_at: Date;
}

export interface ConsentStateRow {
  customer_id: string;
  purpose: string;
  channel: string;
  status: string;
  guardian: boolean;
  source: string;
  occurred_at: Date;
}

const EVENT_COLUMNS =
  'id, customer_id, purpose, channel, status, source, evidence, guardian, actor, occurred_at, created_at';

/** consent_events, consent_state and privacy_restrictions (enforcement reads all three). */
@Injectable()
export class ConsentRepository {
  /**
   * The customer with what consent rules need, locked FOR SHARE so an erasure or merge
   * cannot interleave with the consent being written.
   */
  async findCustomer(tx: Tx, customerId: string): Promise<ConsentCustomerRow | undefined> {
    return tx.one<ConsentCustomerRow>(
      `SELECT c.id, c.status, c.merged_into, c.birth_year, c.birth_month, c.birth_day, t.time_zone,
              EXISTS (SELECT 1 FROM privacy_restrictions r WHERE r.tenant_id = c.tenant_id AND r.customer_id = c.id) AS restricted
         FROM customers c JOIN tenants t ON t.id = c.tenant_id
        WHERE c.tenant_id = $1 AND c.id = $2
        FOR SHARE OF c`,
      [tx.tenant, customerId],
    );
  }

  async insertEvent(tx: Tx, row: Omit<ConsentEventRow, 'created_at'>): Promise<ConsentEventRow> {
    const inserted = await tx.one<ConsentEventRow>(
      `INSERT INTO consent_events (tenant_id, id, customer_id, purpose, channel, status, source, evidence, guardian, actor, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING ${EVENT_COLUMNS}`,
      [
        tx.tenant,
        row.id,
        row.customer_id,
        row.purpose,
        row.channel,
        row.status,
        row.source,
        row.evidence,
        row.guardian,
        row.actor,
        row.occurred_at,
      ],
    );
    return inserted!;
  }

  /** The newest event per key wins; a back-dated event joins the history without overriding a newer state. */
  async applyToState(tx: Tx, event: ConsentEventRow): Promise<void> {
    await tx.query(
      `INSERT INTO consent_state (tenant_id, customer_id, purpose, channel, status, guardian, source, event_id, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tenant_id, customer_id, purpose, channel) DO UPDATE
          SET status = EXCLUDED.status, guardian = EXCLUDED.guardian, source = EXCLUDED.source,
              event_id = EXCLUDED.event_id, occurred_at = EXCLUDED.occurred_at
        WHERE consent_state.occurred_at <= EXCLUDED.occurred_at`,
      [
        tx.tenant,
        event.customer_id,
        event.purpose,
        event.channel,
        event.status,
        event.guardian !== null,
        event.source,
        event.id,
        event.occurred_at,
      ],
    );
  }

  async states(tx: Tx, customerIds: string[]): Promise<ConsentStateRow[]> {
    return tx.query<ConsentStateRow>(
      `SELECT customer_id, purpose, channel, status, guardian, source, occurred_at
         FROM consent_state WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])
        ORDER BY customer_id, purpose, channel`,
      [tx.tenant, customerIds],
    );
  }

  async history(tx: Tx, customerId: string, limit: number): Promise<ConsentEventRow[]> {
    return tx.query<ConsentEventRow>(
      `SELECT ${EVENT_COLUMNS} FROM consent_events
        WHERE tenant_id = $1 AND customer_id = $2
        ORDER BY occurred_at DESC, id DESC LIMIT $3`,
      [tx.tenant, customerId, limit],
    );
  }

  /**
   * The consent states and which of these customers have restricted processing, in one
   * statement: the customer view block is read on every GET and list page.
   */
  async statesWithRestrictions(
    tx: Tx,
    customerIds: string[],
  ): Promise<{ states: ConsentStateRow[]; restricted: Set<string> }> {
    const rows = await tx.query<ConsentStateRow & { purpose: string | null }>(
      `SELECT customer_id, purpose, channel, status, guardian, source, occurred_at
         FROM consent_state WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])
       UNION ALL
       SELECT customer_id, NULL, NULL, NULL, NULL, NULL, NULL
         FROM privacy_restrictions WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])
       ORDER BY 1, 2, 3`,
      [tx.tenant, customerIds],
    );
    const states: ConsentStateRow[] = [];
    const restricted = new Set<string>();
    for (const row of rows)
      if (row.purpose === null) restricted.add(row.customer_id);
      else states.push(row);
    return { states, restricted };
  }

  /**
   * `statesWithRestrictions` for the customers row `alias`, as one json column of the statement
   * reading it (the customer view column): `[restricted, [[purpose, channel, status], …] | null]`.
   */
  summaryColumnSql(alias: string): string {
    return `SELECT json_build_array(
              EXISTS (SELECT 1 FROM privacy_restrictions WHERE tenant_id = $1 AND customer_id = ${alias}.id),
              (SELECT json_agg(json_build_array(purpose, channel, status) ORDER BY purpose, channel)
                 FROM consent_state WHERE tenant_id = $1 AND customer_id = ${alias}.id))`;
  }

  async addRestriction(tx: Tx, customerId: string, requestId: string): Promise<boolean> {
    const n = await tx.count(
      `INSERT INTO privacy_restrictions (tenant_id, customer_id, request_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [tx.tenant, customerId, requestId],
    );
    return n > 0;
  }

  async removeRestriction(tx: Tx, customerId: string): Promise<boolean> {
    const n = await tx.count(
      `DELETE FROM privacy_restrictions WHERE tenant_id = $1 AND customer_id = $2`,
      [tx.tenant, customerId],
    );
    return n > 0;
  }

  /**
   * Merge: the history follows the person to the survivor, and per purpose × channel the
   * most restrictive state among survivor and sources wins (a withdrawal anywhere stands;
   * among equals the newest). Restrictions carry over too.
   */
  async mergeInto(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    const all = [survivorId, ...sourceIds];
    await tx.query(
      `UPDATE consent_events SET customer_id = $2 WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])`,
      [tx.tenant, survivorId, sourceIds],
    );
    const picked = await tx.query<ConsentStateRow & { event_id: string }>(
      `WITH gone AS (
         DELETE FROM consent_state WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])
         RETURNING purpose, channel, status, guardian, source, event_id, occurred_at
       )
       SELECT DISTINCT ON (purpose, channel) purpose, channel, status, guardian, source, event_id, occurred_at
         FROM gone
        ORDER BY purpose, channel, (status = 'withdrawn') DESC, occurred_at DESC`,
      [tx.tenant, all],
    );
    if (picked.length) {
      await tx.query(
        `INSERT INTO consent_state (tenant_id, customer_id, purpose, channel, status, guardian, source, event_id, occurred_at)
         SELECT $1, $2, s.purpose, s.channel, s.status, s.guardian, s.source, s.event_id, s.occurred_at
           FROM jsonb_to_recordset($3::jsonb)
                AS s(purpose text, channel text, status text, guardian boolean, source text, event_id uuid, occurred_at timestamptz)`,
        [tx.tenant, survivorId, JSON.stringify(picked)],
      );
    }
    await tx.query(
      `INSERT INTO privacy_restrictions (tenant_id, customer_id, request_id)
       SELECT tenant_id, $2, request_id FROM privacy_restrictions WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])
       ON CONFLICT DO NOTHING`,
      [tx.tenant, survivorId, sourceIds],
    );
    await tx.query(
      `DELETE FROM privacy_restrictions WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`,
      [tx.tenant, sourceIds],
    );
  }

  /**
   * Erasure: the consent history stays as proof of what was consented when (purpose, status,
   * time, source), but evidence that identifies a person (IP, who captured it, the guardian's
   * name) is dropped.
   */
  async scrubForErasure(tx: Tx, customerId: string): Promise<number> {
    return tx.count(
      `UPDATE consent_events
          SET evidence = jsonb_build_object('method', evidence->'method', 'noticeVersion', evidence->'noticeVersion', 'erased', true),
              guardian = CASE WHEN guardian IS NULL THEN NULL ELSE '{"erased": true}'::jsonb END
        WHERE tenant_id = $1 AND customer_id = $2`,
      [tx.tenant, customerId],
    );
  }
}
