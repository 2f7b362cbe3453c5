import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { from as copyFrom } from 'pg-copy-streams';
import { benchDatabase, startKehu, timed } from './harness';

export const ONLINE_RETAIL = '/work/shared/data/online-retail.csv.gz';
/** The mapping the README's "Try it with real data" one-liner uses. */
export const ONLINE_RETAIL_MAPPING = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'examples', 'online-retail.map.json'), 'utf8'),
) as Record<string, unknown>;

/** Upload (read, parse, stage) and merge seconds of a finished import, and the load average. */
export function phases(result: Record<string, any>): string {
  const at = (key: string) => new Date(result[key] as string).getTime();
  const upload = (at('startedAt') - at('createdAt')) / 1000;
  const merge = (at('finishedAt') - at('startedAt')) / 1000;
  return `phases  upload ${upload.toFixed(1)} s, merge ${merge.toFixed(1)} s; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`;
}

/** Streams a file to POST /v1/imports and polls the import until it ends. */
export async function importFile(
  baseUrl: string,
  token: string,
  file: string,
  query: Record<string, string>,
): Promise<Record<string, any>> {
  const raw = createReadStream(file);
  const body = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const response = await fetch(`${baseUrl}/v1/imports?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: Readable.toWeb(body) as unknown as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const started = (await response.json()) as Record<string, any>;
  if (response.status !== 202) throw new Error(`import refused: ${JSON.stringify(started)}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const state = (await (
      await fetch(`${baseUrl}/v1/imports/${started.id}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as Record<string, any>;
    if (state.status === 'completed' || state.status === 'failed') return state;
  }
}

/**
 * The whole UCI Online Retail file through POST /v1/imports (line-level receipts, customers
 * created by external id, unlinked returns, anonymous receipts, stats and points) against a
 * bare COPY of the same file into a staging table; then the published figures are checked.
 */
export default async function importOnlineRetail(args: string[] = []): Promise<void> {
  // --rows=N: the header and the first N lines only, for iteration (report full-file figures).
  const limit = Number(args.find((a) => a.startsWith('--rows='))?.slice(7) ?? 0);
  const dir = limit ? mkdtempSync(join(tmpdir(), 'kehu-bench-retail-')) : undefined;
  const file = dir ? join(dir, 'online-retail.csv.gz') : ONLINE_RETAIL;
  if (dir) await writeHead(ONLINE_RETAIL, file, limit);
  try {
    await run(file);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The header and the first `lines` lines of a gzipped CSV (no quoted line breaks in this file). */
export async function writeHead(from: string, to: string, lines: number): Promise<void> {
  let left = lines + 1;
  const head = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left <= 0) return done();
      let end = 0;
      while (left > 0 && end < chunk.length) {
        const nl = chunk.indexOf(10, end);
        if (nl === -1) {
          end = chunk.length;
          break;
        }
        end = nl + 1;
        left--;
      }
      done(null, chunk.subarray(0, end));
    },
  });
  await pipeline(createReadStream(from), createGunzip(), head, createGzip(), createWriteStream(to));
}

async function run(file: string): Promise<void> {
  const database = await benchDatabase('import_online_retail');
  await database.pool.query(
    `CREATE TABLE raw_online_retail (invoice text, stock text, description text, quantity text, invoice_date text, price text, customer text, country text)`,
  );
  const copy = await timed(async () => {
    const client = await database.pool.connect();
    try {
      await pipeline(
        createReadStream(file),
        createGunzip(),
        client.query(copyFrom(`COPY raw_online_retail FROM STDIN WITH (FORMAT csv, HEADER true)`)),
      );
    } finally {
      client.release();
    }
  });
  const kehu = await startKehu(database.url);
  try {
    // A fresh tenant's program takes the tenant currency: GBP before anything is posted.
    await database.pool.query(`UPDATE tenants SET currency = 'GBP' WHERE id = $1`, [kehu.tenantId]);
    const { result, seconds } = await timed(() =>
      importFile(kehu.baseUrl, kehu.token, file, {
        kind: 'transactions',
        mapping: JSON.stringify(ONLINE_RETAIL_MAPPING),
      }),
    );
    const rows = Number(
      (await database.pool.query(`SELECT count(*) AS n FROM raw_online_retail`)).rows[0].n,
    );
    const figures = (
      await database.pool.query(
        `SELECT (SELECT count(*) FROM customer_stats WHERE tenant_id = $1 AND purchase_count > 0) AS customers,
                (SELECT count(*) FROM transactions WHERE tenant_id = $1 AND type = 'sale' AND customer_id IS NOT NULL) AS invoices,
                (SELECT count(*) FROM transactions WHERE tenant_id = $1 AND type = 'sale' AND customer_id IS NULL) AS anonymous,
                (SELECT count(*) FROM transactions WHERE tenant_id = $1 AND type = 'return') AS returns,
                (SELECT count(*) FROM customers WHERE tenant_id = $1) AS customers_created`,
        [kehu.tenantId],
      )
    ).rows[0];
    process.stdout.write(
      `import  ${result.status}: ${rows.toLocaleString('en')} lines, ${result.totalGroups} receipts in ${seconds.toFixed(1)} s = ${Math.round(rows / seconds).toLocaleString('en')} rows/s` +
        ` (created ${result.created}, skipped ${result.skipped}, failed ${result.failed})\n` +
        `COPY    ${copy.seconds.toFixed(1)} s = ${Math.round(rows / copy.seconds).toLocaleString('en')} rows/s\n` +
        `ratio   import/COPY time = ${(seconds / copy.seconds).toFixed(1)}x  (goal: import <= 60 s)\n` +
        `figures customers with a valid purchase ${figures.customers} (published 4,338), valid invoices ${figures.invoices} (published 18,532),` +
        ` anonymous receipts ${figures.anonymous}, unlinked returns ${figures.returns}, customers created ${figures.customers_created}\n` +
        phases(result),
    );
  } finally {
    await kehu.stop();
    await database.close();
  }
}
