import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/**
 * Customers generated in-database (generate_series), so a million rows take seconds, not a
 * million round trips. Ids are deterministic UUIDv7-shaped values from the series number.
 */
export async function generateCustomers(
  pool: Pool,
  tenantId: string,
  count: number,
): Promise<void> {
  await pool.query(
    `INSERT INTO customers (tenant_id, id, member_no, name, gender, city, store_id, tier_code, points_balance, birth_month, birth_year, tags, created_at)
     SELECT $1, ('01900000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'M' || g,
            (ARRAY['张','王','李','赵','刘'])[1 + g % 5] || (ARRAY['伟','芳','娜','敏','静','磊'])[1 + g % 6],
            (ARRAY['female','male','other','unknown'])[1 + g % 4], (ARRAY['上海','北京','广州','深圳','杭州'])[1 + g % 5],
            'store-' || (g % 50), (ARRAY['member','silver','gold'])[1 + g % 3], g % 5000, 1 + g % 12, 1960 + g % 45,
            ARRAY['bench'], now() - make_interval(days => g % 1000)
       FROM generate_series(1, $2::int) g`,
    [tenantId, count],
  );
  await pool.query(`ANALYZE customers`);
}

/** Peak resident set (VmHWM) of the Kehu child listening on `port`, from /proc, in MB. */
export function peakRssMb(port: number): number | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('main.js')) continue;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!environ.includes(`PORT=${port}`)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match) return Number(match[1]) / 1024;
    } catch {
      // process went away or is not ours
    }
  }
  return undefined;
}
