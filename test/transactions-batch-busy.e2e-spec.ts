import { Client } from 'pg';
import { createCustomer, expectConsistent, sale } from './support/loyalty-helpers';
import { TenantClient, TestApp } from './support/test-app';

/**
 * A batch does not wait for a customer another transaction holds: the rest of the batch
 * commits first, and that customer's receipts follow in a transaction of their own.
 */
describe('transactions: a batch around a busy customer', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => t.close());

  const receipts = (tenant: TenantClient, customerId: string) =>
    t.count('transactions', 'tenant_id = $1 AND customer_id = $2', [tenant.tenantId, customerId]);

  async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('stores the other customers at once and the held one after it is released, repeats and returns included', async () => {
    const tenant = await t.tenant();
    const [alice, bob] = [await createCustomer(t, tenant), await createCustomer(t, tenant)];
    const aliceSale = sale(alice, '60.00');
    const batch = [
      sale(bob, '10.00'),
      aliceSale,
      aliceSale, // a repeat in the same batch: answered like its first copy
      {
        ...sale(alice, '20.00'),
        type: 'return',
        originalExternalId: aliceSale.externalId,
        items: [{ ...aliceSale.items[0], unitPrice: '20.00', amount: '20.00' }],
      },
      sale(bob, '30.00'),
      sale(null, '5.00'),
    ];

    // Another transaction (a redemption at a till, say) holds Alice's row.
    const holder = new Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [alice]);
      const answer = t.http
        .post('/v1/transactions/batch')
        .set('authorization', tenant.auth)
        .send({ transactions: batch })
        .then((res) => res);

      // Bob's receipts and the anonymous one are committed while Alice is still held.
      await waitFor(async () => (await receipts(tenant, bob)) === 2, "Bob's receipts");
      expect(await receipts(tenant, alice)).toBe(0);
      expect(
        await t.count('transactions', 'tenant_id = $1 AND customer_id IS NULL', [tenant.tenantId]),
      ).toBe(1);

      await holder.query('COMMIT');
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
        'created',
        'created',
        'duplicate',
        'created',
        'created',
        'created',
      ]);
      expect(res.body.results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(res.body.results[2].id).toBe(res.body.results[1].id);
      expect(res.body.results[2].result).toEqual(res.body.results[1].result);
      expect(res.body.results[1].result.pointsEarned).toBeGreaterThan(0);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }

    expect(await receipts(tenant, alice)).toBe(2);
    const customer = await t.http
      .get(`/v1/customers/${alice}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(customer.body.stats).toMatchObject({ purchaseCount: 1, returnCount: 1 });
    await expectConsistent(t, tenant);
  });

  it('gives every item of concurrent batches sharing customers its place and its points', async () => {
    const tenant = await t.tenant();
    const customers = await Promise.all(Array.from({ length: 4 }, () => createCustomer(t, tenant)));
    const batches = Array.from({ length: 6 }, () =>
      Array.from({ length: 40 }, (_, i) => sale(customers[i % customers.length], '10.00')),
    );
    const answers = await Promise.all(
      batches.map((transactions) =>
        t.http
          .post('/v1/transactions/batch')
          .set('authorization', tenant.auth)
          .send({ transactions }),
      ),
    );
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body.results.every((r: { status: string }) => r.status === 'created')).toBe(true);
    }
    for (const customerId of customers) {
      const stats = await t.http
        .get(`/v1/customers/${customerId}`)
        .set('authorization', tenant.auth)
        .expect(200);
      expect(stats.body.stats).toMatchObject({ purchaseCount: 60, totalSpent: '600.00' });
    }
    await expectConsistent(t, tenant);
  });
});

describe('transactions: a batch whose busy customer stays busy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({
      KEHU_RATE_LIMIT_PER_MINUTE: '0',
      KEHU_DB_STATEMENT_TIMEOUT_MS: '1000',
    });
  });
  afterAll(() => t.close());

  it('answers what it stored and asks for the busy customer items again; a retry stores them', async () => {
    const tenant = await t.tenant();
    const [alice, bob] = [await createCustomer(t, tenant), await createCustomer(t, tenant)];
    const batch = [sale(bob, '10.00'), sale(alice, '20.00')];
    const holder = new Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [alice]);
      // Held past the statement timeout: the second transaction's wait fails.
      const res = await t.http
        .post('/v1/transactions/batch')
        .set('authorization', tenant.auth)
        .send({ transactions: batch })
        .expect(200);
      expect(res.body.results[0].status).toBe('created');
      expect(res.body.results[1]).toMatchObject({
        index: 1,
        status: 'error',
        error: { code: 'service_unavailable' },
      });
      expect(
        await t.count('transactions', 'tenant_id = $1 AND customer_id = $2', [
          tenant.tenantId,
          alice,
        ]),
      ).toBe(0);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const retry = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({ transactions: batch })
      .expect(200);
    expect(retry.body.results.map((r: { status: string }) => r.status)).toEqual([
      'duplicate',
      'created',
    ]);
    await expectConsistent(t, tenant);
  });
});
