import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { benchDatabase, startKehu, timed } from './harness';

const EVENTS = Number(process.env.KEHU_BENCH_WEBHOOK_EVENTS ?? 100_000);
const CUSTOMERS = 20_000;
const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const TARGET_PER_SECOND = 2000;

/** A minimal receiver on the load core: counts distinct deliveries, checks every 100th signature. */
async function startReceiver(expected: number): Promise<{
  url: string;
  done: Promise<void>;
  badSignatures: () => number;
  close(): Promise<void>;
}> {
  const seen = new Set<string>();
  let bad = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const key = Buffer.from(SECRET.slice(6), 'base64');
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      if (seen.size % 100 === 0) {
        const body = Buffer.concat(chunks).toString('utf8');
        const expectedSig = createHmac('sha256', key)
          .update(`${id}.${String(req.headers['webhook-timestamp'])}.${body}`)
          .digest('base64');
        if (!String(req.headers['webhook-signature']).split(' ').includes(`v1,${expectedSig}`))
          bad++;
      }
      seen.add(id);
      res.writeHead(204).end();
      if (seen.size >= expected) finish();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    done,
    badSignatures: () => bad,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * 100k outbox events (20k customers, 5 events each, so per-customer ordering is exercised)
 * written in one transaction, then sequenced, fanned out and delivered by Kehu's own
 * background loops to a local receiver. Prints deliveries per second, end to end.
 */
export default async function webhooksScenario(): Promise<void> {
  const database = await benchDatabase('webhooks');
  const receiver = await startReceiver(EVENTS);
  const kehu = await startKehu(database.url, {
    KEHU_WEBHOOK_ALLOW_PRIVATE: 'true',
    KEHU_RUN_WORKER: 'true',
  });
  try {
    const created = await fetch(`${kehu.baseUrl}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kehu.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, events: ['*'], secret: SECRET }),
    });
    if (created.status !== 201)
      throw new Error(`webhook create failed: ${created.status} ${await created.text()}`);

    await database.pool.query(
      `WITH event AS (
         INSERT INTO events (tenant_id, id, type, customer_id, payload, created_at)
         SELECT $1, kehu_uuid7(), 'customer.updated',
                ('0193a8f2-0000-7000-8000-' || lpad(to_hex(g % $3), 12, '0'))::uuid,
                jsonb_build_object('n', g, 'changes', jsonb_build_object('tier', 'gold', 'points', g)),
                clock_timestamp()
           FROM generate_series(1, $2) AS g
         RETURNING tenant_id, created_at, id
       )
       INSERT INTO event_queue (tenant_id, created_at, id) SELECT tenant_id, created_at, id FROM event`,
      [kehu.tenantId, EVENTS, CUSTOMERS],
    );
    const loadBefore = loadavg()[0];
    const { seconds } = await timed(() => receiver.done);
    const loadAfter = loadavg()[0];
    const rate = EVENTS / seconds;
    // The receiver counts a POST when it answers; the dispatcher records the outcome after
    // that, so the last batch may still read `delivering` for a moment.
    for (let wait = 0; wait < 100; wait++) {
      const pending = await database.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivering'`,
      );
      if (pending.rows[0].n === '0') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stats = await database.pool.query<{
      status: string;
      n: string;
      p50: number;
      p99: number;
    }>(
      `SELECT status, count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY last_latency_ms) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY last_latency_ms) AS p99
         FROM webhook_deliveries GROUP BY status`,
    );
    // Event committed → delivery settled (includes queueing behind the other 100k).
    const endToEnd = await database.pool.query<{ p50: number; p99: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
         FROM (SELECT extract(epoch FROM d.updated_at - e.created_at) * 1000 AS ms
                 FROM webhook_deliveries d JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
                WHERE d.status = 'succeeded') t`,
    );
    process.stdout.write(
      `\n== webhooks: ${EVENTS} events → sequenced, fanned out, signed, POSTed to a local receiver\n` +
        `delivered ${EVENTS} in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} deliveries/s   ` +
        `(≥ ${TARGET_PER_SECOND}/s: ${rate >= TARGET_PER_SECOND ? 'PASS' : 'FAIL'})\n` +
        `delivery rows: ${stats.rows.map((r) => `${r.status} ${r.n} (HTTP round trip p50 ${r.p50} ms, p99 ${r.p99} ms)`).join('; ')}\n` +
        `event → delivered (all ${EVENTS} queued at once): p50 ${Math.round(endToEnd.rows[0].p50)} ms, p99 ${Math.round(endToEnd.rows[0].p99)} ms\n` +
        `bad signatures in sample: ${receiver.badSignatures()}\n` +
        `machine load (1-min average, ${cpus().length} cores): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after\n`,
    );
  } finally {
    await kehu.stop();
    await receiver.close();
    await database.close();
  }
}
