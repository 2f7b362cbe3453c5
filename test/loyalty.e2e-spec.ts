import { LoyaltyJobs } from '../src/loyalty/loyalty.jobs';
import { Clock } from '../src/common/clock';
import { concurrentPosts, createCustomer, expectConsistent, sale } from './support/loyalty-helpers';
import { TenantClient, TestApp } from './support/test-app';

const PROGRAM = {
  currency: 'CNY',
  pointsPerUnit: '1',
  rounding: 'floor',
  expiryMonths: 12,
  tiers: [
    { code: 'member', name: 'Member', rank: 0, pointsMultiplier: 1 },
    {
      code: 'silver',
      name: 'Silver',
      rank: 1,
      qualifySpend12m: '1000.00',
      pointsMultiplier: 1.5,
      benefits: { discountPercent: 5 },
    },
    {
      code: 'gold',
      name: 'Gold',
      rank: 2,
      qualifySpend12m: '5000.00',
      qualifyPoints: 6000,
      pointsMultiplier: 2,
      benefits: { discountPercent: 10 },
    },
  ],
  earnRules: {
    categoryMultipliers: [{ category: 'shoes', multiplier: 2 }],
    birthdayMonthMultiplier: 3,
  },
};

describe('loyalty (program, redemptions, adjustments, tiers, expiry, GraphQL)', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RATE_LIMIT_PER_MINUTE: '0' });
    tenant = await t.tenant();
  });
  afterAll(() => t.close());
  afterEach(() => t.app.get(Clock).reset());

  const earn = (customerId: string, amount: string) =>
    t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(sale(customerId, amount))
      .expect(201);

  it('serves the default program, then validates and saves a new one', async () => {
    const fresh = await t.http
      .get('/v1/loyalty/program')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(fresh.body).toMatchObject({
      currency: 'CNY',
      pointsPerUnit: '1',
      expiryMonths: 24,
      version: 0,
      tiers: [{ code: 'member', rank: 0 }],
    });
    const bad = await t.http
      .put('/v1/loyalty/program')
      .set('authorization', tenant.auth)
      .send({
        ...PROGRAM,
        currency: 'XXX',
        tiers: [
          { code: 'member', name: 'M', rank: 0, pointsMultiplier: 1, qualifyPoints: 5 },
          { code: 'member', name: 'Dup', rank: 1, pointsMultiplier: 1.23456 },
        ],
        earnRules: {
          promotions: [
            { name: 'p', from: '2026-12-01T00:00:00Z', to: '2026-11-01T00:00:00Z', multiplier: 2 },
          ],
        },
      })
      .expect(422);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['tiers[1].pointsMultiplier']));
    const semantic = await t.http
      .put('/v1/loyalty/program')
      .set('authorization', tenant.auth)
      .send({
        ...PROGRAM,
        currency: 'XXX',
        tiers: [
          { code: 'member', name: 'M', rank: 0, pointsMultiplier: 1, qualifyPoints: 5 },
          { code: 'member', name: 'D', rank: 1, pointsMultiplier: 1 },
        ],
      })
      .expect(422);
    expect(semantic.body.errors.map((e: { code: string }) => e.code)).toEqual(
      expect.arrayContaining([
        'unknown_currency',
        'duplicate',
        'base_tier_has_threshold',
        'threshold_required',
      ]),
    );
    expect(await t.count('loyalty_programs', 'tenant_id = $1', [tenant.tenantId])).toBe(0);
    const saved = await t.http
      .put('/v1/loyalty/program')
      .set('authorization', tenant.auth)
      .send(PROGRAM)
      .expect(200);
    expect(saved.body).toMatchObject({
      version: 1,
      tiers: [
        { code: 'member' },
        { code: 'silver', qualifySpend12m: '1000.00', benefits: { discountPercent: 5 } },
        { code: 'gold' },
      ],
    });
  });

  it('earns with category and birthday multipliers, upgrades on the qualifying sale, shows progress', async () => {
    const month = new Date().getUTCMonth() + 1;
    const birthday = await createCustomer(t, tenant, { birthMonth: month });
    const shoes = sale(birthday, '10.00', {
      items: [{ sku: 'S', category: 'shoes', quantity: 1, unitPrice: '10.00', amount: '10.00' }],
    });
    const r = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(shoes)
      .expect(201);
    // Shanghai month may differ from UTC month at the turn of a month; 60 either way proves both multipliers
    expect([60, 20]).toContain(r.body.pointsEarned);

    const customerId = await createCustomer(t, tenant);
    const first = await earn(customerId, '900.00');
    expect(first.body).toMatchObject({ pointsEarned: 900, tier: 'member', tierChanged: false });
    const second = await earn(customerId, '200.00');
    expect(second.body).toMatchObject({ pointsEarned: 200, tier: 'silver', tierChanged: true });
    const third = await earn(customerId, '100.00');
    expect(third.body).toMatchObject({ pointsEarned: 150, tier: 'silver', tierChanged: false });
    const view = await t.http
      .get(`/v1/customers/${customerId}/loyalty`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(view.body).toMatchObject({
      tier: { code: 'silver' },
      nextTier: { code: 'gold' },
      progress: {
        spend12m: '1200.00',
        qualifySpend12m: '5000.00',
        points12m: 1250,
        qualifyPoints: 6000,
      },
      points: { balance: 1250, expiringSoon: [] },
    });
    expect(
      await t.count('events', `tenant_id = $1 AND type = 'tier.changed'`, [tenant.tenantId]),
    ).toBe(1);
    await expectConsistent(t, tenant);
  });

  it('concurrent sales of one customer upgrade on exactly the qualifying sale (12-month totals read after the lock)', async () => {
    const customerId = await createCustomer(t, tenant);
    const posts = Array.from({ length: 20 }, () => sale(customerId, '100.00'));
    const responses = await concurrentPosts(t, '/v1/transactions', tenant.auth, posts);
    expect(responses.map((r) => r.status)).toEqual(posts.map(() => 201));
    const bodies = responses.map((r) => r.body as Record<string, unknown>);
    // In commit order: ten sales at member rate (the tenth reaches 1,000.00 and upgrades),
    // then ten at silver's 1.5x — whatever order they raced in.
    const upgrades = bodies.filter((b) => b.tierChanged === true);
    expect(upgrades).toHaveLength(1);
    expect(upgrades[0]).toMatchObject({ pointsEarned: 100, pointsBalance: 1000, tier: 'silver' });
    expect(bodies.filter((b) => b.pointsEarned === 100)).toHaveLength(10);
    expect(bodies.filter((b) => b.pointsEarned === 150)).toHaveLength(10);
    const [row] = await t.sql<{ points_balance: string; tier_code: string }>(
      `SELECT points_balance, tier_code FROM customers WHERE id = $1`,
      [customerId],
    );
    expect(row).toEqual({ points_balance: '2500', tier_code: 'silver' });
    await expectConsistent(t, tenant);
  });

  it('50 concurrent redemptions against one balance never drive it negative nor lose an update', async () => {
    const customerId = await createCustomer(t, tenant);
    await earn(customerId, '1000.00'); // 1000 points
    const bodies = Array.from({ length: 50 }, (_, i) => ({
      points: 30,
      reason: 'voucher',
      externalId: `RED-${customerId}-${i}`,
    }));
    const results = await concurrentPosts(
      t,
      `/v1/customers/${customerId}/points/redemptions`,
      tenant.auth,
      bodies,
      50,
    );
    const ok = results.filter((r) => r.status === 201);
    const short = results.filter((r) => r.status === 422);
    expect(ok).toHaveLength(33); // 33 × 30 = 990 ≤ 1000
    expect(short).toHaveLength(17);
    expect(short.every((r) => r.body.code === 'insufficient_points')).toBe(true);
    const [row] = await t.sql<{ points_balance: string }>(
      `SELECT points_balance FROM customers WHERE id = $1`,
      [customerId],
    );
    expect(Number(row.points_balance)).toBe(10);
    // a retry of a successful redemption is answered, not repeated
    const replay = await t.http
      .post(`/v1/customers/${customerId}/points/redemptions`)
      .set('authorization', tenant.auth)
      .send(bodies[ok[0] ? results.indexOf(ok[0]) : 0])
      .expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    await t.http
      .post(`/v1/customers/${customerId}/points/redemptions`)
      .set('authorization', tenant.auth)
      .send({ points: 0, reason: 'x', externalId: 'zero' })
      .expect(422);
    await t.http
      .post(`/v1/customers/${customerId}/points/redemptions`)
      .set('authorization', tenant.auth)
      .send({ points: -5, reason: 'x', externalId: 'neg' })
      .expect(422);
    expect(
      await t.count('events', `tenant_id = $1 AND type = 'points.redeemed' AND customer_id = $2`, [
        tenant.tenantId,
        customerId,
      ]),
    ).toBe(33);
    await expectConsistent(t, tenant);
  });

  it('adjustments need manager/admin and a reason', async () => {
    const customerId = await createCustomer(t, tenant);
    await t.http
      .post(`/v1/customers/${customerId}/points/adjustments`)
      .set('authorization', tenant.auth)
      .send({ points: 10, reason: 'x' })
      .expect(403);
    const staff = await t.staff(tenant, 'staff');
    await t.http
      .post(`/v1/customers/${customerId}/points/adjustments`)
      .set('authorization', staff.auth)
      .send({ points: 10, reason: 'x' })
      .expect(403);
    const manager = await t.staff(tenant, 'manager');
    await t.http
      .post(`/v1/customers/${customerId}/points/adjustments`)
      .set('authorization', manager.auth)
      .send({ points: 10 })
      .expect(422);
    const added = await t.http
      .post(`/v1/customers/${customerId}/points/adjustments`)
      .set('authorization', manager.auth)
      .send({ points: 40, reason: 'goodwill' })
      .expect(201);
    expect(added.body).toMatchObject({
      pointsBalance: 40,
      entry: { kind: 'adjust', points: 40, reason: 'goodwill' },
    });
    const over = await t.http
      .post(`/v1/customers/${customerId}/points/adjustments`)
      .set('authorization', manager.auth)
      .send({ points: -41, reason: 'fix' })
      .expect(422);
    expect(over.body.code).toBe('insufficient_points');
    const ledger = await t.http
      .get(`/v1/customers/${customerId}/points/ledger`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(ledger.body.items).toHaveLength(1);
    await expectConsistent(t, tenant);
  });

  it('expires lots FIFO after the expiry months, warns 30 days ahead, downgrades at the tier review', async () => {
    const clock = t.app.get(Clock);
    const start = new Date();
    const customerId = await createCustomer(t, tenant);
    await earn(customerId, '1200.00'); // silver
    clock.set(new Date(start.getTime() + 340 * 24 * 3600 * 1000));
    const jobs = t.app.get(LoyaltyJobs);
    expect(await jobs.expirePoints(tenant.tenantId)).toMatchObject({ expired: 0 });
    expect(
      await t.count('events', `tenant_id = $1 AND type = 'points.expiring' AND customer_id = $2`, [
        tenant.tenantId,
        customerId,
      ]),
    ).toBe(1);
    const soon = await t.http
      .get(`/v1/customers/${customerId}/loyalty`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(soon.body.points.expiringSoon).toEqual([
      { points: 1200, expiresAt: expect.any(String) },
    ]);
    clock.set(new Date(start.getTime() + 370 * 24 * 3600 * 1000));
    await jobs.expirePoints(tenant.tenantId);
    await jobs.expirePoints(tenant.tenantId); // idempotent
    const after = await t.http
      .get(`/v1/customers/${customerId}/loyalty`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(after.body.points.balance).toBe(0);
    const review = await jobs.reviewTiers(tenant.tenantId);
    expect(review.downgraded).toBeGreaterThanOrEqual(1);
    const downgraded = await t.http
      .get(`/v1/customers/${customerId}/loyalty`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(downgraded.body.tier.code).toBe('member');
    await expectConsistent(t, tenant);
  });

  it('GraphQL: loyaltyProgram, recordTransaction, redeemPoints, Customer.loyalty', async () => {
    const customerId = await createCustomer(t, tenant);
    const program = await t.graphql(
      tenant.auth,
      `{ loyaltyProgram { currency tiers { code benefits } } }`,
    );
    expect(program.body.data.loyaltyProgram.tiers[1]).toEqual({
      code: 'silver',
      benefits: { discountPercent: 5 },
    });
    const s = sale(customerId, '50.00');
    const recorded = await t.graphql(
      tenant.auth,
      `mutation ($input: TransactionInput!) { recordTransaction(input: $input) { pointsEarned pointsBalance tier } }`,
      {
        input: { ...s, customer: { id: customerId } },
      },
    );
    expect(recorded.body.data.recordTransaction).toEqual({
      pointsEarned: 50,
      pointsBalance: 50,
      tier: 'member',
    });
    const redeemed = await t.graphql(
      tenant.auth,
      `mutation ($id: ID!) { redeemPoints(customerId: $id, input: { points: 80, reason: "v", externalId: "gql-1" }) { pointsBalance } }`,
      { id: customerId },
    );
    expect(redeemed.body.errors[0].extensions.code).toBe('insufficient_points');
    const view = await t.graphql(
      tenant.auth,
      `query ($id: ID!) { customerLoyalty(customerId: $id) { tier { code } points { balance } } }`,
      { id: customerId },
    );
    expect(view.body.data.customerLoyalty).toEqual({
      tier: { code: 'member' },
      points: { balance: 50 },
    });
    await expectConsistent(t, tenant);
  });
});
