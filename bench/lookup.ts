import { randomBytes } from 'node:crypto';
import { PiiCrypto } from '../src/common/crypto/pii-crypto.service';
import { uuid7 } from '../src/common/uuid7';
import { loadConfig } from '../src/config/app-config';
import { buildMemberNo, namePinyin } from '../src/customers/customer-normalisation';
import {
  benchDatabase,
  BenchDatabase,
  KehuServer,
  measure,
  printComparison,
  RunningServer,
  startBaseline,
  startKehu,
} from './harness';

const CUSTOMERS = 100_000;
const BATCH = 5_000;
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'.split('');
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华'.split('');
// Known keys for this run, so the data built here and the Kehu server agree on ciphertexts and blind indexes.
const KEYS = {
  KEHU_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  KEHU_BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
};

function phoneOf(i: number): string {
  return String(13_000_000_000 + i * 7);
}

/** 100k customers with phone and member-no identities, written as the customers feature would. */
async function buildCustomers(
  database: BenchDatabase,
  tenantId: string,
  crypto: PiiCrypto,
): Promise<void> {
  for (let start = 0; start < CUSTOMERS; start += BATCH) {
    const c: Record<string, unknown[]> = {
      id: [],
      member_no: [],
      name: [],
      pinyin: [],
      initials: [],
      phone_enc: [],
      phone_bidx: [],
      tail: [],
      store: [],
      created: [],
    };
    const ids: Record<string, unknown[]> = {
      id: [],
      customer_id: [],
      type: [],
      value_enc: [],
      value_bidx: [],
    };
    for (let i = start; i < Math.min(start + BATCH, CUSTOMERS); i++) {
      const id = uuid7(Date.now() - (CUSTOMERS - i) * 1000);
      const name =
        SURNAMES[i % SURNAMES.length] +
        GIVEN[(i * 7) % GIVEN.length] +
        (i % 3 ? GIVEN[(i * 13) % GIVEN.length] : '');
      const pinyin = namePinyin(name);
      const e164 = `+86${phoneOf(i)}`;
      const memberNo = buildMemberNo('M', String(100_000_000 + i));
      c.id.push(id);
      c.member_no.push(memberNo);
      c.name.push(name);
      c.pinyin.push(pinyin.full);
      c.initials.push(pinyin.initials);
      c.phone_enc.push(crypto.encrypt(e164));
      c.phone_bidx.push(crypto.blindIndex('phone', e164));
      c.tail.push(crypto.blindIndex('phone_tail', e164.slice(-4)));
      c.store.push(`store-${i % 20}`);
      c.created.push(new Date(Date.now() - (CUSTOMERS - i) * 1000));
      for (const [type, value] of [
        ['phone', e164],
        ['member_no', memberNo],
      ]) {
        ids.id.push(uuid7());
        ids.customer_id.push(id);
        ids.type.push(type);
        ids.value_enc.push(crypto.encrypt(value));
        ids.value_bidx.push(crypto.blindIndex(type, value));
      }
    }
    await database.pool.query(
      `INSERT INTO customers (tenant_id, id, member_no, name, name_pinyin, name_initials, phone_enc, phone_bidx, phone_tail_bidx, store_id, created_at, updated_at, completeness)
       SELECT $1, * , created, 10 FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
              AS u(id, member_no, name, pinyin, initials, phone_enc, phone_bidx, tail, store, created)`,
      [
        tenantId,
        c.id,
        c.member_no,
        c.name,
        c.pinyin,
        c.initials,
        c.phone_enc,
        c.phone_bidx,
        c.tail,
        c.store,
        c.created,
      ],
    );
    await database.pool.query(
      `INSERT INTO customer_identities (tenant_id, id, customer_id, type, value_enc, value_bidx)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[])`,
      [tenantId, ids.id, ids.customer_id, ids.type, ids.value_enc, ids.value_bidx],
    );
  }
  // A table this size in steady state has been autovacuumed: the GIN indexes' pending lists
  // are merged and the visibility map is set. Bulk-loaded and only analysed, it is neither.
  await database.pool.query('VACUUM ANALYZE customers');
  await database.pool.query('VACUUM ANALYZE customer_identities');
}

/**
 * POS member look-up by phone on 100k customers: Kehu's GET /v1/customers/lookup?phone= against
 * a bare Fastify + pg handler running the same indexed join, 32 connections. Then staff search
 * (GET /v1/customers?q=) latency on the same data, mixed and per query.
 * `--search-only` skips the look-up comparison; `--keep` leaves the database for EXPLAIN work.
 */
export default async function lookupScenario(args: string[] = []): Promise<void> {
  const searchOnly = args.includes('--search-only');
  const database = await benchDatabase('lookup');
  const kehu = await startKehu(database.url, KEYS);
  const baseline = await startBaseline(database.url, 'lookup', {
    BENCH_BLIND_INDEX_KEY: KEYS.KEHU_BLIND_INDEX_KEY,
  });
  try {
    const config = loadConfig({
      ...KEYS,
      DATABASE_URL: database.url,
      KEHU_JWT_SECRET: 'unused-here-but-required-0123456789abcdef',
    });
    const started = Date.now();
    await buildCustomers(database, kehu.tenantId, new PiiCrypto(config));
    process.stdout.write(
      `built ${CUSTOMERS} customers in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );

    if (!searchOnly) await compareLookup(kehu, baseline);
    await searchLatency(kehu);
  } finally {
    await kehu.stop();
    await baseline.stop();
    await database.close({ keep: args.includes('--keep') });
  }
}

async function compareLookup(kehu: KehuServer, baseline: RunningServer): Promise<void> {
  const sample = Array.from({ length: 2000 }, (_, k) => phoneOf((k * 48_271) % CUSTOMERS));
  const kehuResult = await measure({
    url: kehu.baseUrl,
    serverPid: kehu.pid,
    headers: { authorization: `Bearer ${kehu.token}` },
    requests: sample.map((phone) => ({
      method: 'GET',
      path: `/v1/customers/lookup?phone=${phone}`,
    })),
  });
  const baselineResult = await measure({
    url: baseline.baseUrl,
    serverPid: baseline.pid,
    requests: sample.map((phone) => ({
      method: 'GET',
      path: `/lookup/${kehu.tenantId}?phone=${phone}`,
    })),
  });
  printComparison(
    'GET /v1/customers/lookup?phone= (100k customers) vs bare Fastify + pg, 32 connections',
    kehuResult,
    baselineResult,
    {
      minRatio: 0.5,
      maxP99Ms: 10,
    },
  );
}

/** What each search query exercises, for the per-kind breakdown. */
const SEARCH_QUERIES: Array<[string, string]> = [
  ['zs', 'pinyin initials (broad)'],
  ['wangwei', 'full pinyin'],
  ['王', 'name, one character (broad)'],
  ['张伟', 'name, two characters'],
  ['lm', 'pinyin initials (broad)'],
  ['0007', 'phone tail / member no'],
  ['1421', 'phone tail / member no'],
  ['liuf', 'pinyin prefix'],
  ['陈静', 'name, two characters'],
  ['hj', 'pinyin initials (broad)'],
];

/** Staff search: the mixed load (the goal's figure), then each query alone to show where the tail is. */
async function searchLatency(kehu: KehuServer): Promise<void> {
  const request = (q: string) => ({
    method: 'GET',
    path: `/v1/customers?q=${encodeURIComponent(q)}&limit=20`,
  });
  const headers = { authorization: `Bearer ${kehu.token}` };
  const search = await measure({
    url: kehu.baseUrl,
    serverPid: kehu.pid,
    headers,
    connections: 8,
    requests: SEARCH_QUERIES.map(([q]) => request(q)),
  });
  process.stdout.write(
    `\n== GET /v1/customers?q= (100k customers, 8 connections, mixed pinyin/name/phone-tail queries)\n` +
      `kehu ${search.rps.toFixed(0)} req/s   p50 ${search.p50.toFixed(2)} ms   p99 ${search.p99.toFixed(2)} ms   non-2xx ${search.non2xx}` +
      (search.cpuUsPerRequest !== undefined
        ? `   server CPU ${search.cpuUsPerRequest.toFixed(0)} µs/req`
        : '') +
      `   (p99 < 50 ms: ${search.p99 < 50 ? 'PASS' : 'FAIL'})\n` +
      `per query (alone, 8 connections, 3 s each):\n`,
  );
  for (const [q, kind] of SEARCH_QUERIES) {
    const alone = await measure({
      url: kehu.baseUrl,
      headers,
      connections: 8,
      warmupSeconds: 1,
      durationSeconds: 3,
      requests: [request(q)],
    });
    process.stdout.write(
      `  ${q.padEnd(8)} ${kind.padEnd(30)} ${alone.rps.toFixed(0).padStart(5)} req/s   p50 ${alone.p50
        .toFixed(2)
        .padStart(7)} ms   p99 ${alone.p99.toFixed(2).padStart(7)} ms   non-2xx ${alone.non2xx}\n`,
    );
  }
}
