import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { PiiCrypto } from '../src/common/crypto/pii-crypto.service';
import { TestApp, TenantClient } from './support/test-app';
import { waitForImport } from './support/import-helpers';

const FILE = '/work/shared/data/online-retail.csv.gz';
// The mapping the README's "Try it with real data" one-liner uses.
const MAPPING = JSON.parse(
  readFileSync(join(__dirname, '..', 'examples', 'online-retail.map.json'), 'utf8'),
) as Record<string, unknown>;

/**
 * A deterministic subset of the real file: every line of the customers whose id is divisible
 * by 13 (a few hundred customers, their sales and returns), plus the first anonymous receipts
 * and the bad-debt adjustments. Lines keep their file order, so receipts stay non-adjacent
 * where the file has them so.
 */
async function subset(): Promise<{ header: string; lines: string[] }> {
  const reader = createInterface({ input: createReadStream(FILE).pipe(createGunzip()) });
  let header = '';
  const lines: string[] = [];
  let anonymous = 0;
  for await (const line of reader) {
    if (!header) {
      header = line;
      continue;
    }
    const cells = line.split(',');
    const customer = cells[cells.length - 2];
    if (customer ? Number(customer) % 13 === 0 : anonymous++ < 1500 || line.startsWith('A'))
      lines.push(line);
  }
  return { header, lines };
}

jest.setTimeout(180_000);

describe('imports: the Online Retail export, line-level, end to end', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let data: { header: string; lines: string[] };

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant(undefined, { currency: 'GBP' });
    data = await subset();
  });
  afterAll(() => t.close());

  function upload(body: string) {
    const params = new URLSearchParams({ kind: 'transactions', mapping: JSON.stringify(MAPPING) });
    return t.http
      .post(`/v1/imports?${params}`)
      .set('authorization', tenant.auth)
      .set('content-type', 'text/csv')
      .send(Buffer.from(body))
      .expect(202);
  }

  it('imports sales, unlinked returns and anonymous receipts; stats equal plain SQL over the raw rows', async () => {
    // A non-numeric quantity in one line and a truncated last line.
    const lines = [...data.lines];
    const broken = lines.findIndex((l) => l.startsWith('536'));
    const brokenInvoice = lines[broken].split(',')[0];
    const cells = lines[broken].split(',');
    cells[cells.length - 5] = 'six';
    lines[broken] = cells.join(',');
    const body = `${data.header}\n${lines.join('\n')}\n581587,22613,PACK OF 20 SPACEBOY NAPKINS,12,2011-12-09 12:5`;
    const response = await upload(body);
    const done = await waitForImport(t, tenant, response.body.id);
    expect(done.status).toBe('completed');
    const errors = (
      await t.http
        .get(`/v1/imports/${done.id}/errors?limit=500`)
        .set('authorization', tenant.auth)
        .expect(200)
    ).body.items;
    expect(errors).toContainEqual(
      expect.objectContaining({
        line: broken + 2,
        column: 'Quantity',
        value: 'six',
        code: 'invalid_quantity',
      }),
    );
    expect(errors).toContainEqual(
      expect.objectContaining({ line: lines.length + 2, code: 'ragged_row' }),
    );
    expect(errors.some((e: any) => e.code === 'negative_price')).toBe(true);

    // Plain SQL over the raw rows (without the broken receipt), by the README's rules.
    await t.sql(
      `CREATE TABLE raw_retail (invoice text, stock text, description text, quantity int, invoice_date timestamp, price numeric, customer text, country text)`,
    );
    const rows = data.lines.map((l) =>
      l
        .match(/("([^"]|"")*"|[^,]*)(,|$)/g)!
        .map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')),
    );
    for (let i = 0; i < rows.length; i += 2000) {
      const chunk = rows.slice(i, i + 2000).filter((r) => r[0] !== brokenInvoice);
      await t.sql(
        `INSERT INTO raw_retail SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(invoice text, stock text, description text, quantity int, invoice_date timestamp, price numeric, customer text, country text)`,
        [
          JSON.stringify(
            chunk.map((r) => ({
              invoice: r[0],
              stock: r[1],
              description: r[2],
              quantity: Number(r[3]),
              invoice_date: r[4],
              price: Number(r[5]),
              customer: r[6] || null,
              country: r[7],
            })),
          ),
        ],
      );
    }
    const expected = await t.sql<{
      customer: string;
      frequency: string;
      sales: string;
      returns: string;
      last_at: Date;
    }>(`
      WITH lines AS (
        SELECT invoice, customer, quantity, price, invoice_date AT TIME ZONE 'Europe/London' AS at, round(abs(quantity) * price * 100) AS amount
          FROM raw_retail WHERE customer IS NOT NULL AND price > 0 AND quantity <> 0),
      receipts AS (
        SELECT invoice, customer, bool_and(quantity < 0) AS is_return, min(at) AS at, sum(amount) AS total FROM lines GROUP BY invoice, customer)
      SELECT customer, count(*) FILTER (WHERE NOT is_return) AS frequency, coalesce(sum(total) FILTER (WHERE NOT is_return), 0) AS sales,
             coalesce(sum(total) FILTER (WHERE is_return), 0) AS returns, max(at) FILTER (WHERE NOT is_return) AS last_at
        FROM receipts GROUP BY customer ORDER BY customer`);
    expect(expected.length).toBeGreaterThan(300);

    const crypto = t.app.get(PiiCrypto);
    const actual = await t.sql<{
      bidx: string;
      purchase_count: number;
      sales_minor: string;
      returns_minor: string;
      last_purchase_at: Date | null;
    }>(
      `SELECT i.value_bidx AS bidx, s.purchase_count, s.sales_minor, s.returns_minor, s.last_purchase_at
         FROM customer_identities i JOIN customer_stats s ON s.tenant_id = i.tenant_id AND s.customer_id = i.customer_id
        WHERE i.tenant_id = $1 AND i.type = 'external' AND i.namespace = 'onlineretail'`,
      [tenant.tenantId],
    );
    const byBidx = new Map(actual.map((a) => [a.bidx, a]));
    const mismatches = expected.filter((e) => {
      const a = byBidx.get(crypto.blindIndex('external', e.customer));
      return (
        !a ||
        Number(a.purchase_count) !== Number(e.frequency) ||
        a.sales_minor !== String(e.sales) ||
        a.returns_minor !== String(e.returns) ||
        (a.last_purchase_at?.getTime() ?? null) !== (e.last_at?.getTime() ?? null)
      );
    });
    expect(mismatches).toEqual([]);
    expect(actual.length).toBe(expected.length);

    // Anonymous receipts are stored without a customer, claimable later.
    expect(
      await t.count('transactions', "tenant_id = $1 AND customer_id IS NULL AND type = 'sale'", [
        tenant.tenantId,
      ]),
    ).toBeGreaterThan(10);
    const currencies = await t.sql<{ currency: string }>(
      `SELECT DISTINCT currency FROM transactions WHERE tenant_id = $1`,
      [tenant.tenantId],
    );
    expect(currencies).toEqual([{ currency: 'GBP' }]);
  });

  it('re-importing a duplicated block is a no-op: idempotent by receipt id', async () => {
    const before = await t.sql<{ n: string; s: string }>(
      `SELECT count(*) AS n, sum(sales_minor)::text AS s FROM customer_stats WHERE tenant_id = $1`,
      [tenant.tenantId],
    );
    const ledger = await t.count('points_ledger', 'tenant_id = $1', [tenant.tenantId]);
    const block = data.lines.slice(1000, 3000);
    const done = await waitForImport(
      t,
      tenant,
      (await upload(`${data.header}\n${block.join('\n')}\n${block.join('\n')}\n`)).body.id,
    );
    expect(done).toMatchObject({ status: 'completed', created: 0 });
    expect(done.skipped).toBeGreaterThan(0);
    const after = await t.sql<{ n: string; s: string }>(
      `SELECT count(*) AS n, sum(sales_minor)::text AS s FROM customer_stats WHERE tenant_id = $1`,
      [tenant.tenantId],
    );
    expect(after).toEqual(before);
    expect(await t.count('points_ledger', 'tenant_id = $1', [tenant.tenantId])).toBe(ledger);
  });
});
