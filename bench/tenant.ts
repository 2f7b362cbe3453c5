import { benchDatabase, measure, printComparison, startBaseline, startKehu } from './harness';

/**
 * The trivial authenticated read: GET /v1/tenant (JWT check, guards, one query, mapping)
 * against a bare handler running the same query. It prices Kehu's per-request overhead.
 */
export default async function tenantScenario(): Promise<void> {
  const database = await benchDatabase('tenant');
  const kehu = await startKehu(database.url);
  const baseline = await startBaseline(database.url, 'tenant');
  try {
    const kehuResult = await measure({
      url: `${kehu.baseUrl}/v1/tenant`,
      serverPid: kehu.pid,
      headers: { authorization: `Bearer ${kehu.token}` },
    });
    const baselineResult = await measure({
      url: `${baseline.baseUrl}/tenant/${kehu.tenantId}`,
      serverPid: baseline.pid,
    });
    printComparison(
      'GET /v1/tenant (authenticated) vs bare Fastify + pg, 32 connections',
      kehuResult,
      baselineResult,
      {
        maxP99Ms: 10,
      },
    );
  } finally {
    await kehu.stop();
    await baseline.stop();
    await database.close();
  }
}
