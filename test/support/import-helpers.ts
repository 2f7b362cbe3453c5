import type { TestApp, TenantClient } from './test-app';

/** Waits for an import to finish, through the progress endpoint like a caller would. */
export async function waitForImport(
  t: TestApp,
  tenant: TenantClient,
  id: string,
  timeoutMs = 120_000,
): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const response = await t.http
      .get(`/v1/imports/${id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    if (['completed', 'failed'].includes(response.body.status)) return response.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('import did not finish');
}
