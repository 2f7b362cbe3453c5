import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import type { CompiledRule } from './rules/rule-compiler';
import type { SqlParams } from './rules/sql-params';

export interface CustomerSampleRow {
  id: string;
  member_no: string;
  gender: string;
  city: string | null;
  store_id: string | null;
  tier_code: string | null;
  entered_at?: Date;
}

/** Batch size for turning the membership diff into outbox rows. */
const EVENT_CHUNK = 5_000;
/** Background refreshes of 1M customers outlive the request statement timeout. */
const REFRESH_STATEMENT_TIMEOUT = '10min';

/**
 * Set-based segment evaluation. The compiled rule joins other modules' read models
 * (customer_stats, consent_state, …): see rules/read-models.ts for why this module reads
 * those tables directly. Every statement is parameterised; the rule's SQL text comes only
 * from the compiler's allow-lists. `$1` is always the tenant.
 */
@Injectable()
export class SegmentMembershipRepository {
  private matching(rule: CompiledRule): string {
    return `FROM customers c ${rule.joins} WHERE c.tenant_id = $1 AND c.status = 'active' AND ${rule.where}`;
  }

  async count(tx: Tx, rule: CompiledRule, params: SqlParams): Promise<number> {
    const row = await tx.one<{ n: string }>(
      `SELECT count(*) AS n ${this.matching(rule)}`,
      params.values,
    );
    return Number(row?.n ?? 0);
  }

  async sample(
    tx: Tx,
    rule: CompiledRule,
    params: SqlParams,
    limit: number,
  ): Promise<CustomerSampleRow[]> {
    return tx.query<CustomerSampleRow>(
      `SELECT c.id, c.member_no, c.gender, c.city, c.store_id, c.tier_code ${this.matching(rule)} ORDER BY c.id LIMIT ${Number(limit)}`,
      params.values,
    );
  }

  /**
   * Recomputes membership in one transaction: the new set into a temp table, then the diff
   * against the stored set (deleted → exited, inserted → entered). Returns the diff sizes;
   * `onDiff` receives the changed ids in chunks so the caller can write events.
   */
  async refresh(
    tx: Tx,
    segmentId: string,
    rule: CompiledRule,
    params: SqlParams,
    now: Date,
    onDiff: (kind: 'entered' | 'exited', customerIds: string[]) => Promise<void>,
  ): Promise<{ members: number; entered: number; exited: number }> {
    await tx.query(`SET LOCAL statement_timeout = '${REFRESH_STATEMENT_TIMEOUT}'`);
    await tx.query(`CREATE TEMP TABLE segment_new (customer_id uuid PRIMARY KEY) ON COMMIT DROP`);
    await tx.query(
      `CREATE TEMP TABLE segment_entered (customer_id uuid PRIMARY KEY) ON COMMIT DROP`,
    );
    await tx.query(
      `CREATE TEMP TABLE segment_exited (customer_id uuid PRIMARY KEY) ON COMMIT DROP`,
    );
    const members = await tx.count(
      `INSERT INTO segment_new (customer_id) SELECT c.id ${this.matching(rule)}`,
      params.values,
    );
    await tx.query(`ANALYZE segment_new`);
    const exited = await tx.count(
      `WITH gone AS (
         DELETE FROM segment_members m WHERE m.tenant_id = $1 AND m.segment_id = $2
            AND NOT EXISTS (SELECT 1 FROM segment_new n WHERE n.customer_id = m.customer_id)
         RETURNING m.customer_id)
       INSERT INTO segment_exited (customer_id) SELECT customer_id FROM gone`,
      [tx.tenant, segmentId],
    );
    const entered = await tx.count(
      `WITH added AS (
         INSERT INTO segment_members (tenant_id, segment_id, customer_id, entered_at)
         SELECT $1, $2, n.customer_id, $3 FROM segment_new n
         ON CONFLICT (tenant_id, segment_id, customer_id) DO NOTHING
         RETURNING customer_id)
       INSERT INTO segment_entered (customer_id) SELECT customer_id FROM added`,
      [tx.tenant, segmentId, now],
    );
    for (const kind of ['entered', 'exited'] as const) {
      let after: string | null = null;
      for (;;) {
        const rows: { customer_id: string }[] = await tx.query<{ customer_id: string }>(
          `SELECT customer_id FROM segment_${kind} WHERE $1::uuid IS NULL OR customer_id > $1::uuid ORDER BY customer_id LIMIT ${EVENT_CHUNK}`,
          [after],
        );
        if (!rows.length) break;
        await onDiff(
          kind,
          rows.map((r) => r.customer_id),
        );
        after = rows[rows.length - 1].customer_id;
        if (rows.length < EVENT_CHUNK) break;
      }
    }
    return { members, entered, exited };
  }

  async members(
    tx: Tx,
    segmentId: string,
    after: string | undefined,
    limit: number,
  ): Promise<CustomerSampleRow[]> {
    return tx.query<CustomerSampleRow>(
      `SELECT c.id, c.member_no, c.gender, c.city, c.store_id, c.tier_code, m.entered_at
         FROM segment_members m
         JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id
        WHERE m.tenant_id = $1 AND m.segment_id = $2 AND ($3::uuid IS NULL OR m.customer_id > $3::uuid)
        ORDER BY m.customer_id LIMIT $4`,
      [tx.tenant, segmentId, after ?? null, limit + 1],
    );
  }
}
