import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { to as copyTo } from 'pg-copy-streams';
import { benchDatabase, timed } from './harness';
import { startKehu } from './harness';
import { generateCustomers, peakRssMb } from './segment-data';

const ROWS = 1_000_000;
const FIELDS = 'id,memberNo,name,gender,city,storeId,tier,pointsBalance';

/**
 * GET /v1/segments/{id}/export?format=ndjson over 1M members, streamed from a cursor through
 * HTTP, against `COPY (same columns) TO STDOUT` read by this process. Prints rows/s, the
 * ratio and Kehu's peak RSS.
 */
export default async function exportBench(): Promise<void> {
  const database = await benchDatabase('export');
  const kehu = await startKehu(database.url);
  try {
    const prep = await timed(async () => {
      await generateCustomers(database.pool, kehu.tenantId, ROWS);
    });
    const auth = { authorization: `Bearer ${kehu.token}`, 'content-type': 'application/json' };
    const created = await fetch(`${kehu.baseUrl}/v1/segments`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'bench all', query: 'tags contains "bench"' }),
    });
    const segment = (await created.json()) as { id: string };
    // Membership is data here (the refresh has its own benchmark): filled set-based.
    await database.pool.query(
      `INSERT INTO segment_members (tenant_id, segment_id, customer_id, entered_at) SELECT tenant_id, $2, id, now() FROM customers WHERE tenant_id = $1`,
      [kehu.tenantId, segment.id],
    );
    await database.pool.query(`ANALYZE segment_members`);
    process.stdout.write(`data: ${ROWS} customers and members in ${prep.seconds.toFixed(1)} s\n`);

    const port = Number(new URL(kehu.baseUrl).port);
    const rssBefore = peakRssMb(port);
    const kehuRun = await timed(async () => {
      const response = await fetch(
        `${kehu.baseUrl}/v1/segments/${segment.id}/export?format=ndjson&fields=${FIELDS}`,
        { headers: auth },
      );
      if (!response.ok || !response.body)
        throw new Error(`export failed: ${response.status} ${await response.text()}`);
      let lines = 0;
      let bytes = 0;
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
      }
      return { lines, bytes };
    });
    const rss = peakRssMb(port);

    const copyRun = await timed(async () => {
      const client = await database.pool.connect();
      try {
        let lines = 0;
        let bytes = 0;
        const stream = client.query(
          copyTo(`COPY (SELECT c.id, c.member_no, c.name, c.gender, c.city, c.store_id, c.tier_code, c.points_balance
                          FROM segment_members m JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id
                         WHERE m.tenant_id = '${kehu.tenantId}' AND m.segment_id = '${segment.id}' AND c.status = 'active') TO STDOUT`),
        );
        await pipeline(
          stream,
          new Writable({
            write(chunk: Buffer, _encoding, callback) {
              bytes += chunk.length;
              for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
              callback();
            },
          }),
        );
        return { lines, bytes };
      } finally {
        client.release();
      }
    });

    const kehuRate = kehuRun.result.lines / kehuRun.seconds;
    const copyRate = copyRun.result.lines / copyRun.seconds;
    const ratio = kehuRate / copyRate;
    process.stdout.write(
      `\n== GET /v1/segments/{id}/export?format=ndjson, ${ROWS} rows (${FIELDS})\n` +
        `kehu      ${kehuRun.result.lines} rows in ${kehuRun.seconds.toFixed(2)} s = ${kehuRate.toFixed(0)} rows/s (${(kehuRun.result.bytes / 1e6).toFixed(0)} MB)\n` +
        `COPY      ${copyRun.result.lines} rows in ${copyRun.seconds.toFixed(2)} s = ${copyRate.toFixed(0)} rows/s (${(copyRun.result.bytes / 1e6).toFixed(0)} MB)\n` +
        `ratio kehu/COPY = ${ratio.toFixed(3)}   (≥ 100000 rows/s: ${kehuRate >= 100_000 ? 'PASS' : 'FAIL'}, ratio ≥ 0.5: ${ratio >= 0.5 ? 'PASS' : 'FAIL'})\n` +
        `kehu peak RSS ${rss?.toFixed(0) ?? '?'} MB (before export ${rssBefore?.toFixed(0) ?? '?'} MB)   (< 300 MB: ${rss !== undefined && rss < 300 ? 'PASS' : 'FAIL'})\n`,
    );
    if (kehuRun.result.lines !== ROWS)
      throw new Error(`expected ${ROWS} rows, got ${kehuRun.result.lines}`);
  } finally {
    await kehu.stop();
    await database.close();
  }
}
