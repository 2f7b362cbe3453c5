import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export interface PeriodRow {
  from: string;
  to: string;
  time_zone: string;
  currency: string;
}

export interface OverviewRow {
  total: string;
  new: string;
  active: string;
  lapsed: string;
  repeaters: string;
  retained: string;
  prev_active: string;
  orders: string;
  sales_total: string;
  revenue: string;
  member_revenue: string;
}

export interface ProfileQualityRow {
  group_key: string | null;
  registered: string;
  average_completeness: string;
  with_phone: string;
  duplicates: string;
}

/**
 * Report queries. Like segment evaluation they aggregate over other modules' read models
 * (transactions, customer_stats, points_ledger) in single set-based statements — the same
 * deliberate exception documented in segments/rules/read-models.ts. `$1` is the tenant;
 * period bounds are tenant-local calendar days turned into instants in SQL.
 */
@Injectable()
export class ReportsRepository {
  async period(
    tx: Tx,
    now: Date,
    from: string | undefined,
    to: string | undefined,
  ): Promise<PeriodRow> {
    const row = await tx.one<PeriodRow>(
      `SELECT to_char(coalesce($3::date, coalesce($4::date, ($2::timestamptz AT TIME ZONE t.time_zone)::date) - 29), 'YYYY-MM-DD') AS "from",
              to_char(coalesce($4::date, ($2::timestamptz AT TIME ZONE t.time_zone)::date), 'YYYY-MM-DD') AS "to",
              t.time_zone, t.currency
         FROM tenants t WHERE t.id = $1`,
      [tx.tenant, now, from ?? null, to ?? null],
    );
    return row!;
  }

  async overview(
    tx: Tx,
    p: PeriodRow,
    storeId: string | null,
    lapsedDays: number,
  ): Promise<OverviewRow> {
    const row = await tx.one<OverviewRow>(
      `WITH bounds AS (
         SELECT ($2::date)::timestamp AT TIME ZONE $4::text AS start_at,
                ($3::date + 1)::timestamp AT TIME ZONE $4::text AS end_at,
                ($2::date - ($3::date - $2::date + 1))::timestamp AT TIME ZONE $4::text AS prev_start
       ), sales AS (
         SELECT t.customer_id, t.type, t.total_minor, t.occurred_at >= b.start_at AS current
           FROM transactions t, bounds b
          WHERE t.tenant_id = $1 AND t.occurred_at >= b.prev_start AND t.occurred_at < b.end_at
            AND ($5::text IS NULL OR t.store_id = $5::text)
       ), buyers AS (
         SELECT customer_id, bool_or(current) AS now_bought, bool_or(NOT current) AS before_bought,
                count(*) FILTER (WHERE current) AS current_sales
           FROM sales WHERE type = 'sale' AND customer_id IS NOT NULL GROUP BY customer_id
       )
       SELECT
         (SELECT count(*) FROM customers c WHERE c.tenant_id = $1 AND c.status = 'active' AND ($5::text IS NULL OR c.store_id = $5::text)) AS total,
         (SELECT count(*) FROM customers c, bounds b WHERE c.tenant_id = $1 AND c.status = 'active' AND ($5::text IS NULL OR c.store_id = $5::text)
             AND c.created_at >= b.start_at AND c.created_at < b.end_at) AS new,
         (SELECT count(*) FROM buyers WHERE now_bought) AS active,
         (SELECT count(*) FROM customer_stats s JOIN customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id, bounds b
           WHERE s.tenant_id = $1 AND c.status = 'active' AND ($5::text IS NULL OR c.store_id = $5::text)
             AND s.last_purchase_at < b.end_at - make_interval(days => $6::int)) AS lapsed,
         (SELECT count(*) FROM buyers WHERE current_sales >= 2) AS repeaters,
         (SELECT count(*) FROM buyers WHERE now_bought AND before_bought) AS retained,
         (SELECT count(*) FROM buyers WHERE before_bought) AS prev_active,
         (SELECT count(*) FROM sales WHERE current AND type = 'sale') AS orders,
         (SELECT coalesce(sum(total_minor), 0) FROM sales WHERE current AND type = 'sale') AS sales_total,
         (SELECT coalesce(sum(CASE WHEN type = 'sale' THEN total_minor ELSE -total_minor END), 0) FROM sales WHERE current) AS revenue,
         (SELECT coalesce(sum(CASE WHEN type = 'sale' THEN total_minor ELSE -total_minor END), 0) FROM sales WHERE current AND customer_id IS NOT NULL) AS member_revenue`,
      [tx.tenant, p.from, p.to, p.time_zone, storeId, lapsedDays],
    );
    return row!;
  }

  async tierMix(
    tx: Tx,
    storeId: string | null,
  ): Promise<{ tier: string | null; customers: string }[]> {
    return tx.query(
      `SELECT tier_code AS tier, count(*) AS customers FROM customers
        WHERE tenant_id = $1 AND status = 'active' AND ($2::text IS NULL OR store_id = $2::text)
        GROUP BY tier_code ORDER BY count(*) DESC, tier_code`,
      [tx.tenant, storeId],
    );
  }

  async points(
    tx: Tx,
    p: PeriodRow,
  ): Promise<{ issued: string; redeemed: string; expired: string }> {
    const row = await tx.one<{ issued: string; redeemed: string; expired: string }>(
      `SELECT coalesce(sum(points) FILTER (WHERE kind = 'earn' OR (kind = 'adjust' AND points > 0)), 0) AS issued,
              coalesce(-sum(points) FILTER (WHERE kind = 'redeem'), 0) AS redeemed,
              coalesce(-sum(points) FILTER (WHERE kind = 'expire'), 0) AS expired
         FROM points_ledger
        WHERE tenant_id = $1 AND created_at >= ($2::date)::timestamp AT TIME ZONE $4::text
          AND created_at < ($3::date + 1)::timestamp AT TIME ZONE $4::text`,
      [tx.tenant, p.from, p.to, p.time_zone],
    );
    return row!;
  }

  async rfmGrid(tx: Tx): Promise<{ r: number; f: number; customers: string; monetary: string }[]> {
    return tx.query(
      `SELECT r_score AS r, f_score AS f, count(*) AS customers, sum(monetary_minor) AS monetary
         FROM customer_rfm WHERE tenant_id = $1 GROUP BY r_score, f_score`,
      [tx.tenant],
    );
  }

  async rfmSegments(
    tx: Tx,
  ): Promise<{ segment: string; customers: string; monetary: string; computed_at: Date }[]> {
    return tx.query(
      `SELECT segment, count(*) AS customers, sum(monetary_minor) AS monetary, max(computed_at) AS computed_at
         FROM customer_rfm WHERE tenant_id = $1 GROUP BY segment ORDER BY count(*) DESC, segment`,
      [tx.tenant],
    );
  }

  /** groupColumn comes from a two-entry allow-list in the service, never from the caller. */
  async profileQuality(
    tx: Tx,
    groupColumn: 'store_id' | 'registered_by',
    from: string | null,
    to: string | null,
    timeZone: string,
  ): Promise<ProfileQualityRow[]> {
    return tx.query<ProfileQualityRow>(
      `SELECT c.${groupColumn} AS group_key, count(*) AS registered, round(avg(c.completeness), 1) AS average_completeness,
              count(*) FILTER (WHERE c.phone_enc IS NOT NULL) AS with_phone,
              count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM customers d
                 WHERE d.tenant_id = c.tenant_id AND d.id <> c.id AND d.status = 'active' AND d.name = c.name
                   AND ((d.birth_month = c.birth_month AND d.birth_day = c.birth_day AND d.birth_year IS NOT DISTINCT FROM c.birth_year)
                        OR d.phone_tail_bidx = c.phone_tail_bidx))) AS duplicates
         FROM customers c
        WHERE c.tenant_id = $1 AND c.status = 'active'
          AND ($2::date IS NULL OR c.created_at >= ($2::date)::timestamp AT TIME ZONE $4::text)
          AND ($3::date IS NULL OR c.created_at < ($3::date + 1)::timestamp AT TIME ZONE $4::text)
        GROUP BY c.${groupColumn}
        ORDER BY avg(c.completeness) DESC, count(*) DESC, c.${groupColumn}`,
      [tx.tenant, from, to, timeZone],
    );
  }
}
