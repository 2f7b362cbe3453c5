import { concurrentPosts, createCustomer, expectConsistent, sale } from './support/loyalty-helpers';
import { TenantClient, TestApp } from './support/test-app';

/**
 * Single sales posted at the same time by one client share a database transaction (group
 * commit, SaleCoalescer): each caller must still get exactly its own answer.
 */
describe('transactions: concurrent single posts', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => t.close());

  const balance = async (tenant: TenantClient, customerId: string) =>
    (
      await t.http
        .get(`/v1/customers/${customerId}/loyalty`)
        .set('authorization', tenant.auth)
        .expect(200)
    ).body.points.balance as number;

  it('refuses only the bad posts among concurrent ones; the others are stored with their points', async () => {
    const tenant = await t.tenant();
    const [alice, bob] = [await createCustomer(t, tenant), await createCustomer(t, tenant)];
    const sold = sale(alice, '300.00', {
      items: [
        { sku: 'A', category: 'shirts', quantity: 2, unitPrice: '100.00', amount: '200.00' },
        { sku: 'B', category: 'shoes', quantity: 1, unitPrice: '100.00', amount: '100.00' },
      ],
    });
    const earlier = sale(bob, '10.00');
    for (const body of [sold, earlier])
      await t.http
        .post('/v1/transactions')
        .set('authorization', tenant.auth)
        .send(body)
        .expect(201);

    const ret = (externalId: string, item: object, total: string) => ({
      ...sale(alice, total),
      externalId,
      type: 'return',
      originalExternalId: sold.externalId,
      items: [item],
      total,
    });
    const sales = Array.from({ length: 30 }, (_, i) => sale(i % 2 ? bob : alice, '10.00'));
    const bad = {
      overReturn: ret(
        'RET-TOO-MANY',
        { sku: 'A', quantity: 3, unitPrice: '100.00', amount: '300.00' },
        '300.00',
      ),
      keyReuse: { ...earlier, total: '1.00', items: [{ ...earlier.items[0], amount: '1.00' }] },
      totalMismatch: { ...sale(bob, '10.00'), total: '11.00' },
    };
    const goodReturn = ret(
      'RET-B',
      { sku: 'B', quantity: 1, unitPrice: '100.00', amount: '100.00' },
      '100.00',
    );
    // The bad ones in the middle, so they share a group with good ones.
    const bodies: object[] = [
      ...sales.slice(0, 10),
      bad.overReturn,
      bad.keyReuse,
      ...sales.slice(10, 20),
      bad.totalMismatch,
      goodReturn,
      ...sales.slice(20),
    ];
    const answers = await concurrentPosts(t, '/v1/transactions', tenant.auth, bodies);
    const answerTo = (body: object) => answers[bodies.indexOf(body)];

    expect(answerTo(bad.overReturn).status).toBe(422);
    expect(answerTo(bad.overReturn).body.errors[0].code).toBe('exceeds_sold');
    expect(answerTo(bad.keyReuse).status).toBe(422);
    expect(answerTo(bad.keyReuse).body.code).toBe('idempotency_key_reuse');
    expect(answerTo(bad.totalMismatch).status).toBe(422);
    expect(answerTo(bad.totalMismatch).body.errors.map((e: { field: string }) => e.field)).toEqual([
      'total',
    ]);
    expect(answerTo(goodReturn).status).toBe(201);
    expect(answerTo(goodReturn).body).toMatchObject({ type: 'return', pointsEarned: -100 });
    for (const body of sales) {
      expect(answerTo(body).status).toBe(201);
      expect(answerTo(body).body).toMatchObject({
        externalId: body.externalId,
        customerId: body.customer!.id,
        pointsEarned: 10,
      });
    }
    // 2 earlier + 30 sales + the good return; nothing of the refused ones.
    expect(await t.count('transactions', 'tenant_id = $1', [tenant.tenantId])).toBe(33);
    expect(await balance(tenant, alice)).toBe(300 + 15 * 10 - 100);
    expect(await balance(tenant, bob)).toBe(10 + 15 * 10);
    await expectConsistent(t, tenant);
  });

  it("runs one customer's concurrent sales one after the other: each answer shows its own running balance", async () => {
    const tenant = await t.tenant();
    const customerId = await createCustomer(t, tenant);
    const bodies = Array.from({ length: 40 }, () => sale(customerId, '10.00'));
    const answers = await concurrentPosts(t, '/v1/transactions', tenant.auth, bodies);
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 201));
    const balances = answers.map((a) => a.body.pointsBalance as number).sort((a, b) => a - b);
    expect(balances).toEqual(bodies.map((_, i) => 10 * (i + 1)));
    expect(await balance(tenant, customerId)).toBe(400);
    const stats = await t.http
      .get(`/v1/customers/${customerId}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(stats.body.stats).toMatchObject({ purchaseCount: 40, totalSpent: '400.00' });
    // Rows written by one database transaction share its id (xmin): posts that arrived while
    // another was being stored were grouped, and never more than one group per transaction.
    const [{ groups }] = await t.sql<{ groups: string }>(
      `SELECT count(DISTINCT xmin::text) AS groups FROM transactions WHERE tenant_id = $1`,
      [tenant.tenantId],
    );
    expect(Number(groups)).toBeLessThan(40);
    await expectConsistent(t, tenant);
  });

  it('answers copies of a receipt posted at the same time as replays of the one stored', async () => {
    const tenant = await t.tenant();
    const customerId = await createCustomer(t, tenant);
    const receipt = sale(customerId, '25.00');
    const others = Array.from({ length: 20 }, () => sale(customerId, '10.00'));
    const bodies = [...others.slice(0, 10), ...Array(6).fill(receipt), ...others.slice(10)];
    const answers = await concurrentPosts(t, '/v1/transactions', tenant.auth, bodies);
    const copies = answers.filter((_, i) => bodies[i] === receipt);
    const created = copies.filter((a) => a.status === 201);
    const replays = copies.filter((a) => a.status === 200);
    expect(created).toHaveLength(1);
    expect(created[0].headers['idempotent-replayed']).toBeUndefined();
    expect(replays).toHaveLength(5);
    for (const replay of replays) {
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(created[0].body);
    }
    expect(answers.filter((_, i) => bodies[i] !== receipt).map((a) => a.status)).toEqual(
      others.map(() => 201),
    );
    expect(await t.count('transactions', 'tenant_id = $1', [tenant.tenantId])).toBe(21);
    expect(await balance(tenant, customerId)).toBe(25 + 20 * 10);
    await expectConsistent(t, tenant);
  });
});
