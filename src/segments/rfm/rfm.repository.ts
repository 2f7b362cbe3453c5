import { Injectable } from '@nestjs/common';
import type { Tx } from '../../database/tx';
import { READ_MODELS } from '../rules/read-models';
import type { SegmentSettingsRow } from '../segments.repository';
import { rfmSegmentCaseSql } from './rfm-segments';

export interface RfmRow {
  customer_id: string;
  r_score: number;
  f_score: number;
  m_score: number;
  segment: string;
  recency_days: number;
  frequency: number;
  monetary_minor: string;
  spend_12m_minor: string;
  frequency_class: string;
  spend_class: string;
  gold: boolean;
  computed_at: Date;
}

/** Quintile (or tertile) score 1..n by rank: equal values share a score (see docs/SEGMENTS.md). */
const score = (n: number, orderBy: string) =>
  `LEAST(${n}, 1 + floor(${n} * percent_rank() OVER (ORDER BY ${orderBy})))::smallint`;

/**
 * RFM over the tenant's purchasers, set-based in one statement. Reads the transactions
 * module's stats read models directly (deliberate exception, see rules/read-models.ts).
 */
@Injectable()
export class RfmRepository {
  /** The statement that computes every purchaser's row (also used by the benchmark's baseline). */
  static computeSql(): string {
    const s = READ_MODELS.stats;
    const ms = READ_MODELS.monthlySpend;
    return `
      WITH spend AS (
        SELECT x.${ms.customerId} AS customer_id, sum(x.${ms.spent}) AS spend
          FROM ${ms.table} x WHERE x.tenant_id = $1 AND x.${ms.month} >= $3::date GROUP BY x.${ms.customerId}
      ), base AS (
        SELECT st.${s.customerId} AS customer_id, st.${s.lastPurchaseAt} AS last_purchase_at, st.${s.purchaseCount} AS frequency,
               (st.${s.salesMinor} - st.${s.returnsMinor}) AS monetary, coalesce(sp.spend, 0) AS spend_12m
          FROM ${s.table} st
          JOIN customers c ON c.tenant_id = st.tenant_id AND c.id = st.${s.customerId} AND c.status = 'active'
          LEFT JOIN spend sp ON sp.customer_id = st.${s.customerId}
         WHERE st.tenant_id = $1 AND st.${s.purchaseCount} > 0 AND st.${s.lastPurchaseAt} IS NOT NULL
      ), scored AS (
        SELECT b.*,
               ${score(5, 'last_purchase_at')} AS r, ${score(5, 'frequency')} AS f, ${score(5, 'monetary')} AS m,
               ${score(3, 'frequency')} AS f3, ${score(3, 'monetary')} AS m3,
               cume_dist() OVER (ORDER BY spend_12m DESC) AS spend_share
          FROM base b
      )
      SELECT $1::uuid AS tenant_id, customer_id, r AS r_score, f AS f_score, m AS m_score,
             ${rfmSegmentCaseSql('r', 'f', 'm')} AS segment,
             GREATEST(0, floor(extract(epoch FROM ($2::timestamptz - last_purchase_at)) / 86400))::int AS recency_days,
             frequency, monetary AS monetary_minor, spend_12m AS spend_12m_minor,
             CASE WHEN $4::int IS NOT NULL THEN (CASE WHEN frequency >= $4::int THEN 'high' WHEN frequency >= $5::int THEN 'mid' ELSE 'low' END)
                  ELSE (CASE f3 WHEN 3 THEN 'high' WHEN 2 THEN 'mid' ELSE 'low' END) END AS frequency_class,
             CASE WHEN $6::bigint IS NOT NULL THEN (CASE WHEN monetary >= $6::bigint THEN 'high' WHEN monetary >= $7::bigint THEN 'mid' ELSE 'low' END)
                  ELSE (CASE m3 WHEN 3 THEN 'high' WHEN 2 THEN 'mid' ELSE 'low' END) END AS spend_class,
             (spend_12m > 0 AND spend_share <= $8::numeric / 100 AND frequency >= $9::int) AS gold,
             $2::timestamptz AS computed_at
        FROM scored`;
  }

  static computeParams(
    tenantId: string,
    now: Date,
    monthStart: string,
    settings: SegmentSettingsRow,
  ): unknown[] {
    return [
      tenantId,
      now,
      monthStart,
      settings.frequency_high_min,
      settings.frequency_mid_min ?? 0,
      settings.spend_high_min_minor,
      settings.spend_mid_min_minor ?? '0',
      settings.gold_top_percent,
      settings.gold_min_purchases,
    ];
  }

  /** Replaces the tenant's scores; non-purchasers (and archived customers) end with no row. */
  async recompute(
    tx: Tx,
    now: Date,
    monthStart: string,
    settings: SegmentSettingsRow,
  ): Promise<number> {
    await tx.query(`SET LOCAL statement_timeout = '10min'`);
    await tx.query(`DELETE FROM customer_rfm WHERE tenant_id = $1`, [tx.tenant]);
    return tx.count(
      `INSERT INTO customer_rfm (tenant_id, customer_id, r_score, f_score, m_score, segment, recency_days, frequency, monetary_minor,
                                 spend_12m_minor, frequency_class, spend_class, gold, computed_at)
       ${RfmRepository.computeSql()}`,
      RfmRepository.computeParams(tx.tenant, now, monthStart, settings),
    );
  }

  /** First day of the 12-month window (tenant-local), as the monthly spend table keys it. */
  async windowStart(tx: Tx, now: Date, timeZone: string): Promise<string> {
    const row = await tx.one<{ start: string }>(
      `SELECT to_char((date_trunc('month', $1::timestamptz AT TIME ZONE $2::text) - interval '11 months')::date, 'YYYY-MM-DD') AS start`,
      [now, timeZone],
    );
    return row!.start;
  }

  /**
   * `forCustomers` for the customers row `alias`, as one json column of the statement reading
   * it (the customer view column): the row's fields, `computed_at` as an ISO string.
   */
  viewColumnSql(alias: string): string {
    return `SELECT row_to_json(r) FROM (
              SELECT customer_id, r_score, f_score, m_score, segment, frequency_class, spend_class, gold, computed_at
                FROM customer_rfm WHERE tenant_id = $1 AND customer_id = ${alias}.id) r`;
  }

  async forCustomers(tx: Tx, customerIds: string[]): Promise<RfmRow[]> {
    return tx.query<RfmRow>(
      `SELECT customer_id, r_score, f_score, m_score, segment, recency_days, frequency, monetary_minor, spend_12m_minor,
              frequency_class, spend_class, gold, computed_at
         FROM customer_rfm WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`,
      [tx.tenant, customerIds],
    );
  }

  async moveOnMerge(tx: Tx, sourceIds: string[]): Promise<void> {
    // Scores are derived; the survivor's are recomputed on the next run. Drop the sources'.
    await tx.query(
      `DELETE FROM customer_rfm WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`,
      [tx.tenant, sourceIds],
    );
    await tx.query(
      `DELETE FROM segment_members WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`,
      [tx.tenant, sourceIds],
    );
  }
}
