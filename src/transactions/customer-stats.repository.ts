import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import { SqlPart, WriteBatch } from '../database/write-batch';

/** What the stats need of one stored transaction. */
export interface StatsInput {
  customerId: string;
  type: 'sale' | 'return';
  occurredAt: Date;
  storeId: string | null;
  totalMinor: bigint;
  itemCount: number;
  lines: { category: string | null; amountMinor: bigint }[];
}

export interface StatsRow {
  customer_id: string;
  first_purchase_at: Date | null;
  last_purchase_at: Date | null;
  purchase_count: number;
  return_count: number;
  items_purchased: string;
  items_returned: string;
  sales_minor: string;
  returns_minor: string;
  favourite_category: string | null;
  favourite_store: string | null;
  spend_12m: string;
}

/** The tenant-local month 11 months before `now`: the first month of the rolling 12. */
const windowStart = (nowRef: string) =>
  `(date_trunc('month', ${nowRef}::timestamptz AT TIME ZONE (SELECT time_zone FROM tenants WHERE id = $1)) - interval '11 months')::date`;

/** A StatsRow's fields but customer_id, of customer_stats `s` (`$1` the tenant). */
const statsFields = (nowRef: string) =>
  `s.first_purchase_at, s.last_purchase_at, s.purchase_count, s.return_count, s.items_purchased::text,
   s.items_returned::text, s.sales_minor::text, s.returns_minor::text,
   (SELECT category FROM customer_category_stats c WHERE c.tenant_id = $1 AND c.customer_id = s.customer_id
     ORDER BY spent_minor DESC, category LIMIT 1) AS favourite_category,
   (SELECT store_id FROM customer_store_stats st WHERE st.tenant_id = $1 AND st.customer_id = s.customer_id
     ORDER BY purchase_count DESC, store_id LIMIT 1) AS favourite_store,
   (SELECT coalesce(sum(spent_minor), 0)::text FROM customer_monthly_spend m
     WHERE m.tenant_id = $1 AND m.customer_id = s.customer_id AND m.month >= ${windowStart(nowRef)}) AS spend_12m`;

/** Aggregations shared by the incremental update and the check (same definitions both ways). */
const AGGREGATES = {
  stats: `min(occurred_at) FILTER (WHERE type = 'sale') AS fp, max(occurred_at) FILTER (WHERE type = 'sale') AS lp,
          count(*) FILTER (WHERE type = 'sale') AS pc, count(*) FILTER (WHERE type = 'return') AS rc,
          coalesce(sum(item_count) FILTER (WHERE type = 'sale'), 0)::numeric(16, 3) AS ip, coalesce(sum(item_count) FILTER (WHERE type = 'return'), 0)::numeric(16, 3) AS ir,
          coalesce(sum(total_minor) FILTER (WHERE type = 'sale'), 0) AS sm, coalesce(sum(total_minor) FILTER (WHERE type = 'return'), 0) AS rm`,
  signed: `CASE WHEN t.type = 'sale' THEN 1 ELSE -1 END`,
  month: `(date_trunc('month', t.occurred_at AT TIME ZONE (SELECT time_zone FROM tenants WHERE id = $1)))::date`,
};

/**
 * Per-customer purchase stats, kept in the posting's own transaction with set-based upserts
 * (one statement for any number of transactions), and recomputable from scratch by the check.
 */
@Injectable()
export class CustomerStatsRepository {
  /** Adds these transactions (which must carry their customer) to their customers' stats. */
  async apply(tx: Tx, transactionIds: string[]): Promise<void> {
    if (!transactionIds.length) return;
    await new WriteBatch()
      .add({
        ctes: this.upserts(
          `SELECT id, customer_id, type, occurred_at, store_id, total_minor, item_count FROM transactions
            WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND customer_id IS NOT NULL`,
          `SELECT t.customer_id, t.type, i.category, i.amount_minor
             FROM stats_t t JOIN transaction_items i ON i.tenant_id = $1 AND i.transaction_id = t.id
            WHERE i.transaction_id = ANY($2::uuid[])`,
        ),
        params: [transactionIds],
      })
      .run(tx);
  }

  /**
   * The same upserts as a part of a WriteBatch, from the transactions' values as the caller
   * has them (nothing is read back: a batch may set transactions.customer_id in the same
   * statement, and re-reading a thousand rows costs more than sending them).
   */
  applyPart(rows: StatsInput[]): SqlPart | undefined {
    if (!rows.length) return undefined;
    // The item columns in one pass: no spread copy of every line.
    const lineCustomers: string[] = [];
    const lineTypes: string[] = [];
    const lineCategories: (string | null)[] = [];
    const lineAmounts: string[] = [];
    for (const r of rows) {
      for (const l of r.lines) {
        lineCustomers.push(r.customerId);
        lineTypes.push(r.type);
        lineCategories.push(l.category);
        lineAmounts.push(l.amountMinor.toString());
      }
    }
    return {
      ctes: this.upserts(
        `SELECT * FROM unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::bigint[], $7::numeric[])
              AS v(customer_id, type, occurred_at, store_id, total_minor, item_count)`,
        `SELECT * FROM unnest($8::uuid[], $9::text[], $10::text[], $11::bigint[]) AS v(customer_id, type, category, amount_minor)`,
      ),
      params: [
        rows.map((r) => r.customerId),
        rows.map((r) => r.type),
        rows.map((r) => r.occurredAt),
        rows.map((r) => r.storeId),
        rows.map((r) => r.totalMinor.toString()),
        rows.map((r) => r.itemCount.toFixed(3)),
        lineCustomers,
        lineTypes,
        lineCategories,
        lineAmounts,
      ],
    };
  }

  /**
   * Stats, category, store and month upserts over `transactionsSql` (CTE `stats_t`: customer_id,
   * type, occurred_at, store_id, total_minor, item_count) and `itemsSql` (CTE `stats_items`:
   * customer_id, type, category, amount_minor).
   */
  private upserts(transactionsSql: string, itemsSql: string): { name: string; sql: string }[] {
    return [
      { name: 'stats_t', sql: transactionsSql },
      { name: 'stats_items', sql: itemsSql },
      {
        name: 'stats_customer',
        sql: `INSERT INTO customer_stats AS s (tenant_id, customer_id, first_purchase_at, last_purchase_at, purchase_count, return_count,
                                          items_purchased, items_returned, sales_minor, returns_minor)
         SELECT $1, customer_id, ${AGGREGATES.stats} FROM stats_t GROUP BY customer_id
         ON CONFLICT (tenant_id, customer_id) DO UPDATE SET
           first_purchase_at = least(s.first_purchase_at, EXCLUDED.first_purchase_at),
           last_purchase_at = greatest(s.last_purchase_at, EXCLUDED.last_purchase_at),
           purchase_count = s.purchase_count + EXCLUDED.purchase_count,
           return_count = s.return_count + EXCLUDED.return_count,
           items_purchased = s.items_purchased + EXCLUDED.items_purchased,
           items_returned = s.items_returned + EXCLUDED.items_returned,
           sales_minor = s.sales_minor + EXCLUDED.sales_minor,
           returns_minor = s.returns_minor + EXCLUDED.returns_minor,
           lapsed_notified_at = CASE WHEN EXCLUDED.purchase_count > 0 THEN NULL ELSE s.lapsed_notified_at END,
           updated_at = now()`,
      },
      {
        name: 'stats_categories',
        sql: `INSERT INTO customer_category_stats AS c (tenant_id, customer_id, category, spent_minor)
         SELECT $1, t.customer_id, t.category, sum(${AGGREGATES.signed} * t.amount_minor)
           FROM stats_items t WHERE t.category IS NOT NULL GROUP BY t.customer_id, t.category
         ON CONFLICT (tenant_id, customer_id, category) DO UPDATE SET spent_minor = c.spent_minor + EXCLUDED.spent_minor`,
      },
      {
        name: 'stats_stores',
        sql: `INSERT INTO customer_store_stats AS st (tenant_id, customer_id, store_id, purchase_count)
         SELECT $1, customer_id, store_id, count(*) FROM stats_t WHERE store_id IS NOT NULL AND type = 'sale' GROUP BY customer_id, store_id
         ON CONFLICT (tenant_id, customer_id, store_id) DO UPDATE SET purchase_count = st.purchase_count + EXCLUDED.purchase_count`,
      },
      {
        name: 'stats_months',
        sql: `INSERT INTO customer_monthly_spend AS m (tenant_id, customer_id, month, spent_minor)
       SELECT $1, t.customer_id, ${AGGREGATES.month}, sum(${AGGREGATES.signed} * t.total_minor) FROM stats_t t GROUP BY 2, 3
       ON CONFLICT (tenant_id, customer_id, month) DO UPDATE SET spent_minor = m.spent_minor + EXCLUDED.spent_minor`,
      },
    ];
  }

  /** A SELECT of `customer_id, spent` (12-month net spend) for other statements to embed. */
  spend12mSql(idsRef: string, nowRef: string): string {
    return `SELECT customer_id, sum(spent_minor) AS spent FROM customer_monthly_spend
        WHERE tenant_id = $1 AND customer_id = ANY(${idsRef}::uuid[]) AND month >= ${windowStart(nowRef)} GROUP BY customer_id`;
  }

  async spend12m(tx: Tx, customerIds: string[], now: Date): Promise<Map<string, bigint>> {
    if (!customerIds.length) return new Map();
    const rows = await tx.query<{ customer_id: string; spent: string }>(
      `SELECT customer_id, spent::text FROM (${this.spend12mSql('$2', '$3')}) s`,
      [tx.tenant, customerIds, now],
    );
    return new Map(rows.map((r) => [r.customer_id, BigInt(r.spent)]));
  }

  async load(tx: Tx, customerIds: string[], now: Date): Promise<StatsRow[]> {
    if (!customerIds.length) return [];
    return tx.query<StatsRow>(
      `SELECT s.customer_id, ${statsFields('$3')}
         FROM customer_stats s WHERE s.tenant_id = $1 AND s.customer_id = ANY($2::uuid[])`,
      [tx.tenant, customerIds, now],
    );
  }

  /**
   * `load` for the customers row `alias` as one json column of the statement reading it (the
   * customer view column): a StatsRow without customer_id, timestamps as ISO strings.
   * `nowRef` is the placeholder holding now.
   */
  viewColumnSql(alias: string, nowRef: string): string {
    return `SELECT row_to_json(x) FROM (
              SELECT ${statsFields(nowRef)}
                FROM customer_stats s WHERE s.tenant_id = $1 AND s.customer_id = ${alias}.id) x`;
  }

  /** Rebuilds the stats of these customers from their transactions (after a merge). */
  async rebuild(tx: Tx, customerIds: string[]): Promise<void> {
    for (const table of [
      'customer_stats',
      'customer_category_stats',
      'customer_store_stats',
      'customer_monthly_spend',
    ]) {
      await tx.query(
        `DELETE FROM ${table} WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`,
        [tx.tenant, customerIds],
      );
    }
    const ids = await tx.query<{ id: string }>(
      `SELECT id FROM transactions WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`,
      [tx.tenant, customerIds],
    );
    await this.apply(
      tx,
      ids.map((r) => r.id),
    );
  }

  /**
   * Recomputes every customer's stats from the transactions and lists what differs from the
   * stored values: one row per (table, customer, key), empty when everything agrees.
   */
  async differences(tx: Tx): Promise<
    {
      kind: string;
      customer_id: string;
      key: string | null;
      stored: string | null;
      expected: string | null;
    }[]
  > {
    return tx.query(
      `WITH t AS (SELECT * FROM transactions WHERE tenant_id = $1 AND customer_id IS NOT NULL),
       expected AS (
         SELECT customer_id, ${AGGREGATES.stats} FROM t GROUP BY customer_id
       ), e AS (
         SELECT customer_id, row(fp, lp, pc, rc, ip, ir, sm, rm)::text AS v FROM expected
       ), s AS (
         SELECT customer_id, row(first_purchase_at, last_purchase_at, purchase_count, return_count, items_purchased, items_returned,
                                 sales_minor, returns_minor)::text AS v FROM customer_stats WHERE tenant_id = $1
       ), ec AS (
         SELECT t.customer_id, i.category AS key, sum(${AGGREGATES.signed} * i.amount_minor)::text AS v
           FROM t JOIN transaction_items i ON i.tenant_id = $1 AND i.transaction_id = t.id WHERE i.category IS NOT NULL GROUP BY 1, 2
       ), sc AS (SELECT customer_id, category AS key, spent_minor::text AS v FROM customer_category_stats WHERE tenant_id = $1),
       est AS (SELECT customer_id, store_id AS key, count(*)::text AS v FROM t WHERE store_id IS NOT NULL AND type = 'sale' GROUP BY 1, 2),
       sst AS (SELECT customer_id, store_id AS key, purchase_count::text AS v FROM customer_store_stats WHERE tenant_id = $1),
       em AS (SELECT t.customer_id, ${AGGREGATES.month}::text AS key, sum(${AGGREGATES.signed} * t.total_minor)::text AS v FROM t GROUP BY 1, 2),
       sm AS (SELECT customer_id, month::text AS key, spent_minor::text AS v FROM customer_monthly_spend WHERE tenant_id = $1)
       SELECT 'stats' AS kind, coalesce(e.customer_id, s.customer_id) AS customer_id, NULL AS key, s.v AS stored, e.v AS expected
         FROM e FULL JOIN s ON s.customer_id = e.customer_id WHERE e.v IS DISTINCT FROM s.v
       UNION ALL
       SELECT 'category', coalesce(ec.customer_id, sc.customer_id), coalesce(ec.key, sc.key), sc.v, ec.v
         FROM ec FULL JOIN sc ON sc.customer_id = ec.customer_id AND sc.key = ec.key WHERE ec.v IS DISTINCT FROM sc.v
       UNION ALL
       SELECT 'store', coalesce(est.customer_id, sst.customer_id), coalesce(est.key, sst.key), sst.v, est.v
         FROM est FULL JOIN sst ON sst.customer_id = est.customer_id AND sst.key = est.key WHERE est.v IS DISTINCT FROM sst.v
       UNION ALL
       SELECT 'month', coalesce(em.customer_id, sm.customer_id), coalesce(em.key, sm.key), sm.v, em.v
         FROM em FULL JOIN sm ON sm.customer_id = em.customer_id AND sm.key = em.key WHERE em.v IS DISTINCT FROM sm.v`,
      [tx.tenant],
    );
  }

  /** Customers whose last purchase is older than the cut-off and who were not announced yet; marks them. */
  async markLapsed(
    tx: Tx,
    cutoff: Date,
    now: Date,
  ): Promise<{ customer_id: string; last_purchase_at: Date }[]> {
    return tx.query(
      `UPDATE customer_stats SET lapsed_notified_at = $3
        WHERE tenant_id = $1 AND last_purchase_at < $2 AND lapsed_notified_at IS NULL
        RETURNING customer_id, last_purchase_at`,
      [tx.tenant, cutoff, now],
    );
  }

  async moveToSurvivor(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await this.rebuild(tx, [survivorId, ...sourceIds]);
  }
}
