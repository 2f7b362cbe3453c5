import {
  benchDatabase,
  LoadOptions,
  measure,
  printComparison,
  startBaseline,
  startKehu,
} from './harness';
import { benchCustomers, receipt } from './tx-data';

/**
 * POST /v1/transactions (auth, validation, idempotency, points, tier, stats, events) against a
 * bare Fastify + pg handler running one sale's statements in one database transaction per
 * request: the reference for what a sale's SQL costs alone. Kehu groups the sales that arrive
 * while one is being stored into one database transaction (SaleCoalescer), so under load it
 * pays BEGIN, the look-ups and COMMIT once per group, not per sale.
 * Every request is a new receipt of 2 items for one of 10,000 customers.
 */
export default async function txSingle(): Promise<void> {
  const database = await benchDatabase('tx_single');
  const kehu = await startKehu(database.url);
  const baseline = await startBaseline(database.url, 'tx-single');
  try {
    const customers = await benchCustomers(database.pool, kehu.tenantId, 10_000);
    const load = (url: string, headers: Record<string, string>): LoadOptions => ({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      connections: 32,
      // setupRequest gives every request its own receipt number (cycled bodies would be replays).
      requests: [
        {
          setupRequest: (request: Record<string, unknown>) => ({
            ...request,
            body: JSON.stringify(receipt(customers, 2, 'S')),
          }),
        } as never,
      ],
    });
    const kehuResult = await measure({
      ...load(`${kehu.baseUrl}/v1/transactions`, { authorization: `Bearer ${kehu.token}` }),
      serverPid: kehu.pid,
    });
    const baselineResult = await measure({
      ...load(`${baseline.baseUrl}/tx/${kehu.tenantId}`, {}),
      serverPid: baseline.pid,
    });
    printComparison(
      'POST /v1/transactions (2 items, points + stats; concurrent sales share a transaction) vs bare Fastify + pg (one per sale), 32 connections',
      kehuResult,
      baselineResult,
      {
        minRatio: 0.3,
        minRps: 800,
      },
    );
  } finally {
    await kehu.stop();
    await baseline.stop();
    await database.close();
  }
}
