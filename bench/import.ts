import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { benchDatabase, cpuSeconds, startKehu, timed } from './harness';
import { importFile, phases } from './import-online-retail';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '艳', '勇'];

/** `count` customers: unique phones and e-mails, mixed date formats, 1 % duplicated rows. */
export async function writeCustomersCsv(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write('姓名,手机,邮箱,性别,生日,会员号\n');
  for (let i = 0; i < count; i++) {
    const n = i % 100 === 99 ? i - 1 : i; // every hundredth row repeats the one before it
    const name = `${SURNAMES[n % 10]}${GIVEN[n % 12]}${GIVEN[(n >> 4) % 12]}`;
    const phone = `139${String(n).padStart(8, '0')}`;
    const birthday =
      n % 3 === 0
        ? `19${70 + (n % 30)}/${1 + (n % 12)}/${1 + (n % 28)}`
        : `19${70 + (n % 30)}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
    await write(
      `${name},${phone},u${n}@example.com,${n % 2 ? '女' : '男'},${birthday},B${String(n).padStart(9, '0')}\n`,
    );
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

/** Busy and total jiffies of each core, from /proc/stat (Linux); empty elsewhere. */
function coreTimes(): { busy: number; total: number }[] {
  try {
    return readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((line) => /^cpu\d+ /.test(line))
      .map((line) => {
        const [user, nice, system, idle, iowait, irq, softirq, steal] = line
          .split(/\s+/)
          .slice(1, 9)
          .map(Number);
        const busy = user + nice + system + irq + softirq + steal;
        return { busy, total: busy + idle + iowait };
      });
  } catch {
    return [];
  }
}

/**
 * 1M customers through POST /v1/imports (normalise, encrypt, blind-index, match, merge, create
 * with identities and events) against a bare COPY of the same file into a staging table.
 */
export default async function importCustomers(args: string[]): Promise<void> {
  const count = Number(args.find((a) => a.startsWith('--rows='))?.slice(7) ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'kehu-bench-import-'));
  const file = join(dir, 'customers.csv');
  await writeCustomersCsv(file, count);
  const database = await benchDatabase('import_customers');
  const kehu = await startKehu(database.url);
  try {
    await database.pool.query(
      `CREATE TABLE raw_customers (name text, phone text, email text, gender text, birthday text, member_no text)`,
    );
    const copy = await timed(async () => {
      const client = await database.pool.connect();
      try {
        await pipeline(
          createReadStream(file),
          client.query(copyFrom(`COPY raw_customers FROM STDIN WITH (FORMAT csv, HEADER true)`)),
        );
      } finally {
        client.release();
      }
    });
    const mapping = {
      columns: {
        姓名: 'name',
        手机: 'phone',
        邮箱: 'email',
        性别: 'gender',
        生日: 'birthday',
        会员号: 'memberNo',
      },
    };
    const coresBefore = coreTimes();
    const cpuBefore = cpuSeconds(kehu.pid);
    const { result, seconds } = await timed(() =>
      importFile(kehu.baseUrl, kehu.token, file, {
        kind: 'customers',
        mapping: JSON.stringify(mapping),
      }),
    );
    const cpuAfter = cpuSeconds(kehu.pid);
    // Which side waits: Kehu runs on core 1, the embedded PostgreSQL on core 0 by default.
    const cores = coreTimes()
      .map((after, i) => {
        const before = coresBefore[i];
        return before
          ? `core ${i} ${Math.round((100 * (after.busy - before.busy)) / Math.max(after.total - before.total, 1))} %`
          : '';
      })
      .filter(Boolean)
      .join(', ');
    // Kehu's own CPU (parse, stage, prepare, merge): PostgreSQL runs on the other core.
    const kehuCpu =
      cpuBefore !== undefined && cpuAfter !== undefined
        ? `Kehu CPU ${(cpuAfter - cpuBefore).toFixed(1)} s = ${Math.round(((cpuAfter - cpuBefore) * 1e6) / count)} µs/row (${Math.round((100 * (cpuAfter - cpuBefore)) / seconds)} % of one core)\n`
        : '';
    const busy = cores
      ? `busy    ${cores} (Kehu on core 1; the embedded PostgreSQL on core 0 unless KEHU_BENCH_DB_ALL_CORES=1)\n`
      : '';
    process.stdout.write(
      `import  ${result.status}: ${count.toLocaleString('en')} rows in ${seconds.toFixed(1)} s = ${Math.round(count / seconds).toLocaleString('en')} rows/s` +
        ` (created ${result.created}, updated ${result.updated}, skipped ${result.skipped}, failed ${result.failed})\n` +
        `COPY    ${copy.seconds.toFixed(1)} s = ${Math.round(count / copy.seconds).toLocaleString('en')} rows/s\n` +
        `ratio   import/COPY time = ${(seconds / copy.seconds).toFixed(1)}x  (budget: import <= 180 s)\n` +
        phases(result) +
        kehuCpu +
        busy,
    );
  } finally {
    await kehu.stop();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
