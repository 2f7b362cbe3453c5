import { LoyaltyJobsRepository } from '../../src/loyalty/loyalty-jobs.repository';
import { TransactionsService } from '../../src/transactions/transactions.service';
import type { TenantClient, TestApp } from './test-app';

let receiptCounter = 0;

/** A customer to post against, registered through the API like a real caller would. */
export async function createCustomer(
  t: TestApp,
  tenant: TenantClient,
  extra: { birthMonth?: number; phone?: string } = {},
): Promise<string> {
  const body: Record<string, unknown> = { name: 'Loyal Customer' };
  if (extra.birthMonth) body.birthday = `--${String(extra.birthMonth).padStart(2, '0')}-15`;
  if (extra.phone) body.phone = extra.phone;
  const response = await t.http
    .post('/v1/customers')
    .set('authorization', tenant.auth)
    .send(body)
    .expect(201);
  return response.body.id as string;
}

export function sale(
  customerId: string | null,
  amount = '100.00',
  extra: Record<string, unknown> = {},
) {
  return {
    source: 'pos-1',
    externalId: `R-${++receiptCounter}-${Math.random().toString(36).slice(2, 8)}`,
    type: 'sale',
    occurredAt: new Date().toISOString(),
    storeId: 'store-001',
    customer: customerId ? { id: customerId } : null,
    currency: 'CNY',
    total: amount,
    items: [
      { sku: 'SKU-1', name: 'Shirt', category: 'shirts', quantity: 1, unitPrice: amount, amount },
    ],
    ...extra,
  };
}

/** Ledger sum == cached balance == open lots (for non-negative balances), and stats recompute to the same values. */
export async function expectConsistent(t: TestApp, tenant: TenantClient): Promise<void> {
  const balances = await t.database.withTenant(tenant.tenantId, (tx) =>
    t.app.get(LoyaltyJobsRepository).balanceDifferences(tx),
  );
  expect(balances).toEqual([]);
  expect(await t.app.get(TransactionsService).checkStats(tenant.tenantId)).toEqual([]);
  // Items have no foreign key to their receipt (ItemWritePath): code keeps them together.
  const orphans = await t.sql(
    `SELECT i.transaction_id FROM transaction_items i
      WHERE i.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM transactions x WHERE x.tenant_id = i.tenant_id AND x.id = i.transaction_id)`,
    [tenant.tenantId],
  );
  expect(orphans).toEqual([]);
}

/** What concurrentPosts hands back for each request. */
export interface PostAnswer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Many truly concurrent requests over a bounded socket pool (1,000 sockets at once would test
 * the kernel's accept backlog, not Kehu).
 */
export async function concurrentPosts(
  t: TestApp,
  path: string,
  auth: string,
  bodies: object[],
  sockets = 128,
): Promise<PostAnswer[]> {
  const http = await import('node:http');
  const server = t.app.getHttpServer();
  if (!server.listening)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  try {
    return await Promise.all(
      bodies.map(
        (body) =>
          new Promise<PostAnswer>((resolve, reject) => {
            const payload = JSON.stringify(body);
            const req = http.request(
              {
                host: '127.0.0.1',
                port,
                path,
                method: 'POST',
                agent,
                headers: {
                  authorization: auth,
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                },
              },
              (res) => {
                let text = '';
                res.on('data', (chunk) => (text += chunk));
                res.on('end', () =>
                  resolve({
                    status: res.statusCode ?? 0,
                    body: text ? JSON.parse(text) : null,
                    headers: res.headers,
                  }),
                );
              },
            );
            req.on('error', reject);
            req.end(payload);
          }),
      ),
    );
  } finally {
    agent.destroy();
  }
}
