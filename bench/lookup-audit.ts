import { randomBytes } from 'node:crypto';
import { PiiCrypto } from '../src/common/crypto/pii-crypto.service';
import { uuid7 } from '../src/common/uuid7';
import { loadConfig } from '../src/config/app-config';
import { benchDatabase, BenchDatabase, LoadResult, measure, startKehu } from './harness';

const CUSTOMERS = 20_000;
const KEYS = {
  KEHU_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  KEHU_BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
};
const phoneOf = (i: number) => `+86${13_000_000_000 + i * 7}`;

async function buildCustomers(
  database: BenchDatabase,
  tenantId: string,
  crypto: PiiCrypto,
): Promise<void> {
  const c: Record<string, unknown[]> = { id: [], member_no: [], phone_enc: [], phone_bidx: [] };
  const ids: Record<string, unknown[]> = { id: [], customer_id: [], value_enc: [], value_bidx: [] };
  for (let i = 0; i < CUSTOMERS; i++) {
    const id = uuid7();
    c.id.push(id);
    c.member_no.push(`A${100_000_000 + i}`);
    c.phone_enc.push(crypto.encrypt(phoneOf(i)));
    c.phone_bidx.push(crypto.blindIndex('phone', phoneOf(i)));
    ids.id.push(uuid7());
    ids.customer_id.push(id);
    ids.value_enc.push(crypto.encrypt(phoneOf(i)));
    ids.value_bidx.push(crypto.blindIndex('phone', phoneOf(i)));
  }
  await database.pool.query(
    `INSERT INTO customers (tenant_id, id, member_no, name, phone_enc, phone_bidx)
     SELECT $1, u.id, u.member_no, '王芳', u.phone_enc, u.phone_bidx FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(id, member_no, phone_enc, phone_bidx)`,
    [tenantId, c.id, c.member_no, c.phone_enc, c.phone_bidx],
  );
  await database.pool.query(
    `INSERT INTO customer_identities (tenant_id, id, customer_id, type, value_enc, value_bidx)
     SELECT $1, u.id, u.customer_id, 'phone', u.value_enc, u.value_bidx FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[]) AS u(id, customer_id, value_enc, value_bidx)`,
    [tenantId, ids.id, ids.customer_id, ids.value_enc, ids.value_bidx],
  );
  await database.pool.query('ANALYZE customers; ANALYZE customer_identities');
}

async function run(
  database: BenchDatabase,
  audit: boolean,
  build: boolean,
): Promise<{ result: LoadResult; entries: number }> {
  const kehu = await startKehu(database.url, { ...KEYS, KEHU_AUDIT_ENABLED: String(audit) });
  try {
    if (build) {
      const config = loadConfig({
        ...KEYS,
        DATABASE_URL: database.url,
        KEHU_JWT_SECRET: 'unused-here-but-required-0123456789abcdef',
      });
      await buildCustomers(database, kehu.tenantId, new PiiCrypto(config));
    }
    const before = Number(
      (await database.pool.query('SELECT count(*) AS n FROM audit_log')).rows[0].n,
    );
    const sample = Array.from({ length: 2000 }, (_, k) =>
      phoneOf((k * 48_271) % CUSTOMERS).slice(3),
    );
    const result = await measure({
      url: kehu.baseUrl,
      serverPid: kehu.pid,
      headers: { authorization: `Bearer ${kehu.token}` },
      requests: sample.map((phone) => ({
        method: 'GET',
        path: `/v1/customers/lookup?phone=${phone}`,
      })),
    });
    await kehu.stop(); // graceful: the audit queue is flushed on shutdown
    const after = Number(
      (await database.pool.query('SELECT count(*) AS n FROM audit_log')).rows[0].n,
    );
    return { result, entries: after - before };
  } catch (error) {
    await kehu.stop();
    throw error;
  }
}

/**
 * The cost of auditing every look-up: GET /v1/customers/lookup?phone= on 20k customers,
 * 32 connections, with KEHU_AUDIT_ENABLED=false and then true (same data, same server build).
 * Goal: ≤ 15 % fewer requests/s with audit on; also shows that every request was logged.
 */
export default async function lookupAuditScenario(): Promise<void> {
  const database = await benchDatabase('lookup_audit');
  try {
    // ABBA order (off, on, on, off): caches warming and audit_log growing favour neither side.
    const off1 = await run(database, false, true);
    const on1 = await run(database, true, false);
    const on2 = await run(database, true, false);
    const off2 = await run(database, false, false);
    const mean = (a: LoadResult, b: LoadResult, pick: (r: LoadResult) => number) =>
      (pick(a) + pick(b)) / 2;
    const offRps = mean(off1.result, off2.result, (r) => r.rps);
    const onRps = mean(on1.result, on2.result, (r) => r.rps);
    const offCpu = mean(off1.result, off2.result, (r) => r.cpuUsPerRequest ?? NaN);
    const onCpu = mean(on1.result, on2.result, (r) => r.cpuUsPerRequest ?? NaN);
    const overhead = 1 - onRps / offRps;
    const row = (name: string, r: LoadResult) =>
      `${name.padEnd(10)} ${r.rps.toFixed(0).padStart(9)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   non-2xx ${r.non2xx}   server CPU ${(r.cpuUsPerRequest ?? NaN).toFixed(0)} µs/req`;
    process.stdout.write(
      `\n== GET /v1/customers/lookup?phone= (20k customers, 32 connections): audit off vs on, ABBA\n` +
        `${row('audit off', off1.result)}\n${row('audit on', on1.result)}\n` +
        `${row('audit on', on2.result)}\n${row('audit off', off2.result)}\n` +
        `audit entries written: ${on1.entries + on2.entries} for ${on1.result.total + on2.result.total} requests in the measured windows (+ warm-up)\n` +
        `mean: off ${offRps.toFixed(0)} req/s (${offCpu.toFixed(0)} µs/req), on ${onRps.toFixed(0)} req/s (${onCpu.toFixed(0)} µs/req)\n` +
        `overhead = ${(overhead * 100).toFixed(1)} %   (≤ 15 %: ${overhead <= 0.15 ? 'PASS' : 'FAIL'}); server CPU +${((onCpu / offCpu - 1) * 100).toFixed(1)} %\n`,
    );
  } finally {
    await database.close();
  }
}
