import type { Pool } from 'pg';

/** Customers to post against, inserted directly (the scenario prices posting, not registering). */
export async function benchCustomers(
  pool: Pool,
  tenantId: string,
  count: number,
): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO customers (tenant_id, id, member_no) SELECT $1, kehu_uuid7(), 'BENCH' || g FROM generate_series(1, $2) g RETURNING id`,
    [tenantId, count],
  );
  // An established member base has planner statistics (autovacuum would gather them a minute
  // later); without them every customer look-up plans as if the table were empty.
  await pool.query('ANALYZE customers');
  return rows.map((r) => r.id);
}

let counter = 0;

/**
 * Which member buys next: a fixed-seed pseudo-random pick (mulberry32), the same sequence every
 * run, as a chain's stream of shoppers is. Members in creation order put a 500-receipt batch on
 * ~11 customer pages — cache-friendly in a way no till's stream is (A/B: Kehu's batch ratio
 * 0.21–0.22× with creation order, 0.16–0.18× with random members).
 */
let pickState = 0x6b656875;
function nextCustomerIndex(count: number): number {
  pickState = (pickState + 0x6d2b79f5) | 0;
  let t = Math.imul(pickState ^ (pickState >>> 15), 1 | pickState);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * count);
}

/** A POS receipt with `items` lines for a random customer; a new externalId every call. */
export function receipt(
  customerIds: string[],
  items: number,
  tag: string,
): Record<string, unknown> {
  const lines = Array.from({ length: items }, (_, i) => ({
    sku: `SKU-${(counter + i) % 500}`,
    name: 'Item',
    category: ['shirts', 'shoes', 'bags'][i % 3],
    quantity: 1,
    unitPrice: '19.90',
    amount: '19.90',
  }));
  return {
    source: 'bench-pos',
    externalId: `${tag}-${process.pid}-${++counter}`,
    type: 'sale',
    occurredAt: new Date().toISOString(),
    storeId: `store-${counter % 20}`,
    customer: { id: customerIds[nextCustomerIndex(customerIds.length)] },
    currency: 'CNY',
    total: (19.9 * items).toFixed(2),
    items: lines,
  };
}
