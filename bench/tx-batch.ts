import {
  benchDatabase,
  LoadOptions,
  LoadResult,
  measure,
  printComparison,
  startBaseline,
  startKehu,
} from './harness';
import { benchCustomers, receipt } from './tx-data';

const BATCH = 500;

/**
 * POST /v1/transactions/batch with 500 receipts of 3 items (validation, idempotency, points,
 * stats, events) against a bare handler doing only the UNNEST insert of the same rows.
 * Printed as transactions per second.
 */
export default async function txBatch(): Promise<void> {
  const database = await benchDatabase('tx_batch');
  const kehu = await startKehu(database.url);
  const baseline = await startBaseline(database.url, 'tx-batch');
  try {
    // A chain's member base: concurrent batches from different tills rarely share a customer.
    const customers = await benchCustomers(database.pool, kehu.tenantId, 200_000);
    const load = (
      url: string,
      headers: Record<string, string>,
      serverPid: number | undefined,
    ): LoadOptions => ({
      url,
      serverPid,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      // Two batches in flight: more only queue behind each other (and hit autocannon's 10 s timeout).
      connections: 2,
      durationSeconds: 15,
      requests: [
        {
          setupRequest: (request: Record<string, unknown>) => ({
            ...request,
            body: JSON.stringify({
              transactions: Array.from({ length: BATCH }, () => receipt(customers, 3, 'B')),
            }),
          }),
        } as never,
      ],
    });
    // Per transaction: throughput times the batch size, server CPU (Node only) divided by it.
    const perTx = (r: LoadResult): LoadResult => ({
      ...r,
      rps: r.rps * BATCH,
      cpuUsPerRequest: r.cpuUsPerRequest === undefined ? undefined : r.cpuUsPerRequest / BATCH,
    });
    const kehuResult = perTx(
      await measure(
        load(
          `${kehu.baseUrl}/v1/transactions/batch`,
          { authorization: `Bearer ${kehu.token}` },
          kehu.pid,
        ),
      ),
    );
    const baselineResult = perTx(
      await measure(load(`${baseline.baseUrl}/batch/${kehu.tenantId}`, {}, baseline.pid)),
    );
    printComparison(
      'POST /v1/transactions/batch (500 x 3 items), transactions/s, vs bare UNNEST insert of the same rows',
      kehuResult,
      baselineResult,
      {
        minRatio: 0.3,
        minRps: 5000,
      },
    );
  } finally {
    await kehu.stop();
    await baseline.stop();
    await database.close();
  }
}
