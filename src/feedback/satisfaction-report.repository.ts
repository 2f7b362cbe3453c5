import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import { OPEN_STATUSES } from './feedback-workflow';

export interface ComplaintStatsRow {
  total: number;
  responded: number;
  first_median: number | null;
  first_p90: number | null;
  resolved: number;
  resolution_median: number | null;
  resolution_p90: number | null;
  sla_measured: number;
  sla_breached: number;
}

export interface ReportScope {
  from: Date;
  to: Date;
  now: Date;
  storeId?: string;
}

const OPEN = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

/** Complaint-handling measures over complaints received in [from, to). */
@Injectable()
export class SatisfactionReportRepository {
  async complaintStats(tx: Tx, scope: ReportScope): Promise<ComplaintStatsRow> {
    const { sql, params } = this.scope(tx, scope);
    params.push(scope.now);
    const now = `$${params.length}`;
    // percentile_cont ignores NULLs, so items that never reached a milestone do not count.
    const row = await tx.one<ComplaintStatsRow>(
      `SELECT count(*)::int AS total,
              count(first_response_at)::int AS responded,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at)) AS first_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at)) AS first_p90,
              count(resolved_at)::int AS resolved,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) AS resolution_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) AS resolution_p90,
              count(*) FILTER (WHERE resolved_at IS NOT NULL OR (status IN (${OPEN}) AND due_at < ${now}))::int AS sla_measured,
              count(*) FILTER (WHERE resolved_at > due_at OR (status IN (${OPEN}) AND due_at < ${now}))::int AS sla_breached
         FROM feedback WHERE ${sql}`,
      params,
    );
    return row!;
  }

  async complaintCounts(
    tx: Tx,
    scope: ReportScope,
    by: 'category' | 'store',
  ): Promise<Array<{ key: string; count: number }>> {
    // The grouping column comes from this fixed map, never from the caller.
    const column = { category: `COALESCE(category, '(uncategorised)')`, store: 'store_id' }[by];
    const { sql, params } = this.scope(tx, scope);
    return tx.query(
      `SELECT ${column} AS key, count(*)::int AS count FROM feedback WHERE ${sql} GROUP BY 1 ORDER BY 2 DESC, 1`,
      params,
    );
  }

  /** CSAT scores customers gave on the call-backs of complaints received in the period. */
  async callBackCsatCounts(tx: Tx, scope: ReportScope): Promise<Map<number, number>> {
    const { sql, params } = this.scope(tx, scope);
    const rows = await tx.query<{ score: number; n: number }>(
      `SELECT follow_up_csat AS score, count(*)::int AS n FROM feedback WHERE ${sql} AND follow_up_csat IS NOT NULL GROUP BY 1`,
      params,
    );
    return new Map(rows.map((r) => [r.score, r.n]));
  }

  private scope(tx: Tx, scope: ReportScope): { sql: string; params: unknown[] } {
    const params: unknown[] = [tx.tenant, scope.from, scope.to];
    let sql = `tenant_id = $1 AND type = 'complaint' AND created_at >= $2 AND created_at < $3`;
    if (scope.storeId) {
      params.push(scope.storeId);
      sql += ` AND store_id = $${params.length}`;
    }
    return { sql, params };
  }
}
