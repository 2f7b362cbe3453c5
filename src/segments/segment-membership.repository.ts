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
   * against the stored set (deleted → exited, inserted → entered), each kept in a temp table
   * that `onDiff` receives as a query, so the caller writes its events set-based.
   */
  async refresh(
    tx: Tx,
    segmentId: string,
    rule: CompiledRule,
    params: SqlParams,
    now: Date,
    onDiff: (
      kind: 'entered' | 'exited',
      customers: { sql: string; params: unknown[] },
    ) => Promise<void>,
  ): Promise<{ members: number; entered: number; exited: number }> {
    await tx.query(`SET LOCAL statement_timeout = '${REFRESH_STATEMENT_TIMEOUT}'`);
    // No keys on the temp tables: each is written once from a set that is already distinct.
    await tx.query(`CREATE TEMP TABLE segment_new (customer_id uuid NOT NULL) ON COMMIT DROP`);
    await tx.query(`CREATE TEMP TABLE segment_entered (customer_id uuid NOT NULL) ON COMMIT DROP`);
    await tx.query(`CREATE TEMP TABLE segment_exited (customer_id uuid NOT NULL) ON COMMIT DROP`);
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
    // Only the customers not already in: members who stay cost one anti-join probe, not a
    // speculative insertion each. The caller holds the segment row lock (refreshes of one
    // segment are serialised), and nothing else adds members, so no ON CONFLICT is needed.
    const entered = await tx.count(
      `WITH added AS (
         INSERT INTO segment_members (tenant_id, segment_id, customer_id, entered_at)
         SELECT $1, $2, n.customer_id, $3 FROM segment_new n
          WHERE NOT EXISTS (SELECT 1 FROM segment_members m
                             WHERE m.tenant_id = $1 AND m.segment_id = $2 AND m.customer_id = n.customer_id)
         RETURNING customer_id)
       INSERT INTO segment_entered (customer_id) SELECT customer_id FROM added`,
      [tx.tenant, segmentId, now],
    );
    if (entered)
      await onDiff('entered', { sql: 'SELECT customer_id FROM segment_entered', params: [] });
    if (exited)
      await onDiff('exited', { sql: 'SELECT customer_id FROM segment_exited', params: [] });
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
