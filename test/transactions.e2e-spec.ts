import { CustomerExtensions } from '../src/customers/customer-extensions';
import { concurrentPosts, createCustomer, expectConsistent, sale } from './support/loyalty-helpers';
import { TenantClient, TestApp } from './support/test-app';

describe('transactions (POST /v1/transactions, batch, returns, claims)', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RATE_LIMIT_PER_MINUTE: '0' });
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const post = (body: object) =>
    t.http.post('/v1/transactions').set('authorization', tenant.auth).send(body);

  it('records a sale with points, and replays it by (source, externalId)', async () => {
    const customerId = await createCustomer(t, tenant);
    const body = sale(customerId, '128.50');
    const first = await post(body).expect(201);
    expect(first.body).toMatchObject({
      customerId,
      pointsEarned: 128,
      pointsBalance: 128,
      tier: 'member',
      tierChanged: false,
    });
    const again = await post(body).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const reuse = await post({
      ...body,
      total: '1.00',
      items: [{ ...body.items[0], unitPrice: '1.00', amount: '1.00' }],
    }).expect(422);
    expect(reuse.body.code).toBe('idempotency_key_reuse');
    expect(await t.count('transactions', 'tenant_id = $1', [tenant.tenantId])).toBe(1);
    // Idempotency-Key works as well, on top of (source, externalId)
    const keyed = sale(customerId, '10.00');
    const k1 = await post(keyed).set('idempotency-key', 'key-1').expect(201);
    const k2 = await post(keyed).set('idempotency-key', 'key-1').expect(201);
    expect(k2.headers['idempotent-replayed']).toBe('true');
    expect(k2.body).toEqual(k1.body);
    const k3 = await post(sale(customerId, '10.00')).set('idempotency-key', 'key-1').expect(422);
    expect(k3.body.code).toBe('idempotency_key_reuse');
    expect(await t.count('transactions', 'tenant_id = $1', [tenant.tenantId])).toBe(2);
    const got = await t.http
      .get(`/v1/transactions/${first.body.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(got.body).toMatchObject({
      total: '128.50',
      points: 128,
      items: [{ sku: 'SKU-1', amount: '128.50' }],
    });
    await expectConsistent(t, tenant);
  });

  it('1,000 concurrent posts of 100 receipts x10 leave exactly 100 transactions and the points of 100', async () => {
    const own = await t.tenant();
    const customerId = await createCustomer(t, own);
    const receipts = Array.from({ length: 100 }, (_, i) =>
      sale(customerId, '10.00', { externalId: `C-${i}` }),
    );
    const posts = receipts.flatMap((r) => Array.from({ length: 10 }, () => r));
    const statuses = (await concurrentPosts(t, '/v1/transactions', own.auth, posts)).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    expect(statuses.filter((s) => s === 200)).toHaveLength(900);
    expect(await t.count('transactions', 'tenant_id = $1', [own.tenantId])).toBe(100);
    const [row] = await t.sql<{ points_balance: string }>(
      `SELECT points_balance FROM customers WHERE id = $1`,
      [customerId],
    );
    expect(Number(row.points_balance)).toBe(1000);
    expect(await t.count('points_ledger', 'tenant_id = $1', [own.tenantId])).toBe(100);
    expect(
      await t.count('events', `tenant_id = $1 AND type = 'transaction.created'`, [own.tenantId]),
    ).toBe(100);
    await expectConsistent(t, own);
    // 1,000 requests on a shared 2-core machine can outlast the default 60 s.
  }, 240_000);

  it('refuses bad input with per-field errors and writes nothing', async () => {
    const customerId = await createCustomer(t, tenant);
    const before = await t.count('transactions', 'tenant_id = $1', [tenant.tenantId]);
    const cases: [Record<string, unknown>, string][] = [
      [{ items: [] }, 'items'],
      [
        { items: [{ sku: 'a', quantity: -1, unitPrice: '1.00', amount: '1.00' }], total: '1.00' },
        'items[0].quantity',
      ],
      [{ total: '99.00' }, 'total'],
      [{ currency: 'USD' }, 'currency'],
      [{ occurredAt: new Date(Date.now() + 10 * 60 * 1000).toISOString() }, 'occurredAt'],
      [{ type: 'return', originalExternalId: 'nope' }, 'originalExternalId'],
      [{ customer: { id: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' } }, 'customer'],
      [{ surprise: 1 }, 'surprise'],
    ];
    for (const [patch, field] of cases) {
      const res = await post({ ...sale(customerId), ...patch }).expect(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await t.count('transactions', 'tenant_id = $1', [tenant.tenantId])).toBe(before);
  }, 240_000); // 1,000 concurrent requests: generous for a loaded CI machine

  it('returns reverse points proportionally, never exceed the sale, and may go negative only once spent', async () => {
    const customerId = await createCustomer(t, tenant);
    const s = sale(customerId, '300.00', {
      items: [
        { sku: 'A', category: 'shirts', quantity: 2, unitPrice: '100.00', amount: '200.00' },
        { sku: 'B', category: 'shoes', quantity: 1, unitPrice: '100.00', amount: '100.00' },
      ],
    });
    await post(s).expect(201);
    const ret = (externalId: string, items: unknown[], total: string) =>
      post({
        ...sale(customerId, total),
        externalId,
        type: 'return',
        originalExternalId: s.externalId,
        items,
        total,
      });
    const r1 = await ret(
      'RET-1',
      [{ sku: 'A', quantity: 1, unitPrice: '100.00', amount: '100.00' }],
      '100.00',
    ).expect(201);
    expect(r1.body).toMatchObject({
      type: 'return',
      customerId,
      pointsEarned: -100,
      pointsBalance: 200,
    });
    const tooMany = await ret(
      'RET-2',
      [{ sku: 'A', quantity: 2, unitPrice: '100.00', amount: '200.00' }],
      '200.00',
    ).expect(422);
    expect(tooMany.body.errors[0].code).toBe('exceeds_sold');
    await ret(
      'RET-3',
      [{ sku: 'C', quantity: 1, unitPrice: '1.00', amount: '1.00' }],
      '1.00',
    ).expect(422);
    // spend what is left, then return the rest: the balance goes negative by the spent points
    await t.http
      .post(`/v1/customers/${customerId}/points/redemptions`)
      .set('authorization', tenant.auth)
      .send({ points: 200, reason: 'voucher', externalId: 'RED-ret' })
      .expect(201);
    const r4 = await ret(
      'RET-4',
      [
        { sku: 'A', quantity: 1, unitPrice: '100.00', amount: '100.00' },
        { sku: 'B', quantity: 1, unitPrice: '100.00', amount: '100.00' },
      ],
      '200.00',
    ).expect(201);
    expect(r4.body).toMatchObject({ pointsEarned: -200, pointsBalance: -200 });
    // the next sale pays the debt first
    const next = await post(sale(customerId, '250.00')).expect(201);
    expect(next.body.pointsBalance).toBe(50);
    const loyalty = await t.http
      .get(`/v1/customers/${customerId}/loyalty`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(loyalty.body.points.balance).toBe(50);
    await expectConsistent(t, tenant);
  });

  it('batch: a return refused after its insert leaves neither receipt nor items', async () => {
    const customerId = await createCustomer(t, tenant);
    const s = sale(customerId, '50.00');
    await post(s).expect(201);
    const res = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({
        transactions: [
          {
            ...sale(customerId, '80.00', { storeId: 'store-009' }),
            type: 'return',
            originalExternalId: s.externalId,
          },
        ],
      })
      .expect(200);
    expect(res.body.results[0].error.errors[0].code).toBe('exceeds_sold');
    const left = await t.sql(`SELECT 1 FROM transactions WHERE tenant_id = $1 AND store_id = $2`, [
      tenant.tenantId,
      'store-009',
    ]);
    expect(left).toEqual([]);
    await expectConsistent(t, tenant);
  });

  it('batch: set-based, each item independent, results in order, duplicates reported', async () => {
    const customerId = await createCustomer(t, tenant);
    const good = Array.from({ length: 5 }, () => sale(customerId, '20.00'));
    const batch = [...good, { ...sale(customerId), total: '1.00' }, good[0], { nonsense: true }];
    const res = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({ transactions: batch })
      .expect(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'created',
      'created',
      'created',
      'created',
      'created',
      'error',
      'duplicate',
      'error',
    ]);
    expect(res.body.results[5].error.errors[0].field).toBe('total');
    expect(res.body.results[6].id).toBe(res.body.results[0].id);
    const again = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({ transactions: good })
      .expect(200);
    expect(again.body.results.every((r: { status: string }) => r.status === 'duplicate')).toBe(
      true,
    );
    const [row] = await t.sql<{ points_balance: string }>(
      `SELECT points_balance FROM customers WHERE id = $1`,
      [customerId],
    );
    expect(Number(row.points_balance)).toBe(100);
    const tooBig = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({ transactions: Array.from({ length: 1001 }, () => ({})) })
      .expect(422);
    expect(tooBig.body.errors[0].field).toBe('transactions');
    // the envelope's fast check hands anything unusual to the decorators, for their errors
    const extra = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({ transactions: good, note: 'x' })
      .expect(422);
    expect(extra.body.errors[0]).toMatchObject({ field: 'note', code: 'unknown_field' });
    const empty = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({ transactions: [] })
      .expect(422);
    expect(empty.body.errors[0]).toMatchObject({ field: 'transactions', code: 'too_few' });
    await expectConsistent(t, tenant);
  });

  it('batch: a return of a sale of the same batch, and repeated keys answered like their first', async () => {
    const customerId = await createCustomer(t, tenant);
    const s = sale(customerId, '300.00', {
      items: [
        { sku: 'A', category: 'shirts', quantity: 2, unitPrice: '100.00', amount: '200.00' },
        { sku: 'B', category: 'shoes', quantity: 1, unitPrice: '100.00', amount: '100.00' },
      ],
    });
    const ret = (items: unknown[], total: string) => ({
      ...sale(customerId, total),
      type: 'return',
      originalExternalId: s.externalId,
      items,
      total,
    });
    const res = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({
        transactions: [
          s,
          ret([{ sku: 'A', quantity: 1, unitPrice: '100.00', amount: '100.00' }], '100.00'),
          // only one A is left to return
          ret([{ sku: 'A', quantity: 2, unitPrice: '100.00', amount: '200.00' }], '200.00'),
          s,
          { ...s, storeId: 'store-002' },
        ],
      })
      .expect(200);
    const [first, r1, r2, again, reuse] = res.body.results;
    expect(first).toMatchObject({ status: 'created', result: { pointsEarned: 300 } });
    expect(r1).toMatchObject({
      status: 'created',
      result: { type: 'return', customerId, pointsEarned: -100, pointsBalance: 200 },
    });
    expect(r2.error.errors[0].code).toBe('exceeds_sold');
    expect(again).toMatchObject({ status: 'duplicate', id: first.id, result: first.result });
    expect(reuse.error.code).toBe('idempotency_key_reuse');
    const stored = await t.http
      .get(`/v1/transactions/${r1.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(stored.body).toMatchObject({ originalId: first.id, points: -100, customerId });
    const replay = await post(s).expect(200);
    expect(replay.body).toEqual(first.result);
    await expectConsistent(t, tenant);
  });

  it('claims an anonymous receipt once, within the window', async () => {
    const customerId = await createCustomer(t, tenant);
    const anon = await post(sale(null, '55.00')).expect(201);
    expect(anon.body).toMatchObject({ customerId: null, pointsEarned: 0, pointsBalance: null });
    const claimed = await t.http
      .post(`/v1/transactions/${anon.body.id}/claim`)
      .set('authorization', tenant.auth)
      .send({ customer: { id: customerId } })
      .expect(200);
    expect(claimed.body).toMatchObject({ customerId, pointsEarned: 55, pointsBalance: 55 });
    await t.http
      .post(`/v1/transactions/${anon.body.id}/claim`)
      .set('authorization', tenant.auth)
      .send({ customer: { id: customerId } })
      .expect(409);
    const old = await post(
      sale(null, '5.00', {
        occurredAt: new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString(),
      }),
    ).expect(201);
    const expired = await t.http
      .post(`/v1/transactions/${old.body.id}/claim`)
      .set('authorization', tenant.auth)
      .send({ customer: { id: customerId } })
      .expect(422);
    expect(expired.body.errors[0].code).toBe('claim_window_expired');
    const list = await t.http
      .get(`/v1/customers/${customerId}/transactions`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(list.body.items).toHaveLength(1);
    await expectConsistent(t, tenant);
  });

  it('shows stats on the customer and moves everything to the survivor of a merge', async () => {
    const a = await createCustomer(t, tenant);
    const b = await createCustomer(t, tenant);
    await post(sale(a, '40.00', { storeId: 'store-A' })).expect(201);
    await post(
      sale(b, '60.00', {
        storeId: 'store-B',
        items: [{ sku: 'X', category: 'bags', quantity: 2, unitPrice: '30.00', amount: '60.00' }],
      }),
    ).expect(201);
    await post(sale(b, '10.00', { storeId: 'store-B' })).expect(201);
    await t.database.withTenant(tenant.tenantId, async (tx) => {
      await tx.query(
        `UPDATE customers SET status = 'merged', merged_into = $2 WHERE tenant_id = $1 AND id = $3`,
        [tenant.tenantId, a, b],
      );
      await t.app.get(CustomerExtensions).runMergeHandlers(tx, a, [b]);
    });
    const customer = await t.http
      .get(`/v1/customers/${a}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(customer.body.stats).toMatchObject({
      purchaseCount: 3,
      totalSpent: '110.00',
      favouriteCategory: 'bags',
      favouriteStore: 'store-B',
      spend12m: '110.00',
      averageOrderValue: '36.66',
    });
    const loyalty = await t.http
      .get(`/v1/customers/${a}/loyalty`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(loyalty.body.points.balance).toBe(110);
    // the merged id still resolves to the survivor for postings
    const viaOld = await post(sale(b, '5.00')).expect(201);
    expect(viaOld.body.customerId).toBe(a);
    await expectConsistent(t, tenant);
  });
});
