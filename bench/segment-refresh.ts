import { RfmRepository } from '../src/segments/rfm/rfm.repository';
import { benchDatabase, startKehu, timed } from './harness';
import { generateCustomers } from './segment-data';

const CHUNK = 1_000_000;

/**
 * 1M customers and 10M sales generated in-database, the transactions module's read models
 * (customer_stats, customer_monthly_spend) derived from them set-based, then through the API:
 * RFM recompute + refresh of the built-in-style segment `rfm.segment = "champions"` (202 job,
 * polled to completion), against a hand-written CTAS computing the same member set.
 * `--scale=0.1` shrinks both counts for iteration; the goals are for the full size. `--keep`
 * leaves the database for EXPLAIN work (drop it yourself).
 */
export default async function segmentRefresh(args: string[]): Promise<void> {
  const scale = Number(args.find((a) => a.startsWith('--scale='))?.slice(8) ?? 1);
  const CUSTOMERS = Math.round(1_000_000 * scale);
  const TRANSACTIONS = Math.round(10_000_000 * scale);
  const database = await benchDatabase('segment_refresh');
  const kehu = await startKehu(database.url);
  const pool = database.pool;
  try {
    const tenant = kehu.tenantId;
    const prep = await timed(async () => {
      await generateCustomers(pool, tenant, CUSTOMERS);
      // Bulk load without the secondary indexes, then build them once (same definitions).
      await pool.query(`DROP INDEX transactions_source_external_key`);
      await pool.query(`DROP INDEX transactions_customer_idx`);
      for (let start = 1; start <= TRANSACTIONS; start += CHUNK) {
        // Skewed buyers (random()²): a few very frequent, a long tail of one-off customers.
        await pool.query(
          `INSERT INTO transactions (tenant_id, id, source, external_id, type, customer_id, store_id, occurred_at, currency, total_minor, request_hash)
           SELECT $1, ('01910000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'bench', 'T' || g, 'sale',
                  ('01900000-0000-7000-8000-' || lpad(to_hex(1 + floor(random() * random() * $4)::int), 12, '0'))::uuid,
                  'store-' || (g % 50), now() - random() * interval '730 days', 'CNY', 1000 + floor(random() * 50000)::bigint, ''
             FROM generate_series($2::int, $3::int) g`,
          [tenant, start, Math.min(start + CHUNK - 1, TRANSACTIONS), CUSTOMERS],
        );
      }
      await pool.query(
        `CREATE UNIQUE INDEX transactions_source_external_key ON transactions (tenant_id, source, external_id)`,
      );
      await pool.query(
        `CREATE INDEX transactions_customer_idx ON transactions (tenant_id, customer_id, created_at DESC, id DESC) WHERE customer_id IS NOT NULL`,
      );
      await pool.query(
        `INSERT INTO customer_stats (tenant_id, customer_id, first_purchase_at, last_purchase_at, purchase_count, sales_minor)
         SELECT $1, customer_id, min(occurred_at), max(occurred_at), count(*), sum(total_minor)
           FROM transactions WHERE tenant_id = $1 GROUP BY customer_id`,
        [tenant],
      );
      await pool.query(
        `INSERT INTO customer_monthly_spend (tenant_id, customer_id, month, spent_minor)
         SELECT $1, customer_id, date_trunc('month', occurred_at AT TIME ZONE 'Asia/Shanghai')::date, sum(total_minor)
           FROM transactions WHERE tenant_id = $1 GROUP BY 2, 3`,
        [tenant],
      );
      await pool.query(`ANALYZE`);
    });
    const purchasers = (
      await pool.query(`SELECT count(*)::int AS n FROM customer_stats WHERE tenant_id = $1`, [
        tenant,
      ])
    ).rows[0].n;
    process.stdout.write(
      `data: ${CUSTOMERS} customers, ${TRANSACTIONS} transactions, ${purchasers} purchasers in ${prep.seconds.toFixed(0)} s\n`,
    );

    const headers = { authorization: `Bearer ${kehu.token}`, 'content-type': 'application/json' };
    const call = async (path: string, method: string, body?: unknown) => {
      const response = await fetch(`${kehu.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return {
        json: (await response.json()) as Record<string, unknown>,
        location: response.headers.get('location'),
      };
    };
    const segment = (
      await call('/v1/segments', 'POST', {
        name: 'bench champions',
        query: 'rfm.segment = "champions"',
      })
    ).json;

    const recompute = await timed(() => call('/v1/segments/rfm/recompute', 'POST', {}));
    const refresh = await timed(async () => {
      const accepted = await call(`/v1/segments/${segment.id as string}/refresh`, 'POST', {});
      for (;;) {
        const job = (await call(accepted.location!, 'GET')).json;
        if (job.status === 'succeeded') return job;
        if (job.status === 'failed') throw new Error(`refresh failed: ${String(job.error)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
    const kehuSeconds = recompute.seconds + refresh.seconds;

    const settings = {
      gold_top_percent: 20,
      gold_min_purchases: 2,
      lapsed_days: 180,
      frequency_high_min: null,
      frequency_mid_min: null,
      spend_high_min_minor: null,
      spend_mid_min_minor: null,
    };
    const monthStart = (
      await pool.query(
        `SELECT to_char((date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '11 months')::date, 'YYYY-MM-DD') AS d`,
      )
    ).rows[0].d as string;
    const ctas = await timed(() =>
      pool.query(
        `CREATE TABLE bench_ctas AS SELECT customer_id FROM (${RfmRepository.computeSql()}) x WHERE segment = 'champions'`,
        RfmRepository.computeParams(tenant, new Date(), monthStart, settings),
      ),
    );
    const ctasRows = (await pool.query(`SELECT count(*)::int AS n FROM bench_ctas`)).rows[0].n;
    // The refresh step alone against a CTAS of the same members from the stored scores.
    const ctasMembers = await timed(() =>
      pool.query(
        `CREATE TABLE bench_ctas_members AS SELECT customer_id FROM customer_rfm WHERE tenant_id = $1 AND segment = 'champions'`,
        [tenant],
      ),
    );
    const ratio = kehuSeconds / ctas.seconds;
    process.stdout.write(
      `\n== RFM recompute + refresh of rfm.segment = "champions" (${CUSTOMERS} customers, ${TRANSACTIONS} transactions)\n` +
        `kehu      recompute ${recompute.seconds.toFixed(2)} s (${String(recompute.result.json.scored)} scored) + refresh ${refresh.seconds.toFixed(2)} s ` +
        `(${String(refresh.result.memberCount)} members, ${String(refresh.result.entered)} segment.entered events) = ${kehuSeconds.toFixed(2)} s\n` +
        `          (POST recompute: replaces every purchaser's customer_rfm row; POST refresh → 202, polled: rule compiled\n` +
        `           to SQL, membership diff into segment_members, one outbox event per entered customer, one transaction)\n` +
        `CTAS      ${ctas.seconds.toFixed(2)} s (${ctasRows} rows)\n` +
        `          (one statement: the same RFM scoring over the purchasers, champions' ids into a new table;\n` +
        `           no stored scores, no membership table, no events)\n` +
        `refresh alone ${refresh.seconds.toFixed(2)} s vs CTAS of the member ids from the stored scores ${ctasMembers.seconds.toFixed(2)} s\n` +
        `ratio kehu/CTAS = ${ratio.toFixed(2)}   (≤ 60 s: ${kehuSeconds <= 60 ? 'PASS' : 'FAIL'}, ≤ 1.5×: ${ratio <= 1.5 ? 'PASS' : 'FAIL'})` +
        `${scale === 1 ? '' : `   [scale ${scale}: goals are for the full size]`}\n`,
    );
    if (ctasRows !== refresh.result.memberCount)
      throw new Error(
        `member count ${String(refresh.result.memberCount)} differs from CTAS ${ctasRows}`,
      );
  } finally {
    await kehu.stop();
    await database.close({ keep: args.includes('--keep') });
  }
}
