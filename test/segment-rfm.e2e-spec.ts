import { JobRegistry } from '../src/events/job-registry';
import { SegmentRefreshService } from '../src/segments/segment-refresh.service';
import { createCustomer, sale } from './support/loyalty-helpers';
import { TestApp, TenantClient } from './support/test-app';

const DAY = 86_400_000;

/**
 * Ten customers C0..C9 through the real customers and transactions APIs: Ci buys i+1 times,
 * each for 100·(i+1) CNY, the last time (10−i)·20 days ago. So C9 is the most recent, most
 * frequent and biggest spender and C0 the opposite.
 */
describe('segments: RFM, stats fields, built-ins', () => {
  let t: TestApp;
  let tenant: TenantClient;
  const ids: string[] = [];

  const post = (path: string, body: unknown) =>
    t.http
      .post(path)
      .set('authorization', tenant.auth)
      .send(body as object);
  const members = async (query: string) => {
    const response = await post('/v1/segments/preview', { query }).expect(200);
    const byId = new Map(ids.map((id, i) => [id, `C${i}`]));
    return response.body.sample.map((c: { customerId: string }) => byId.get(c.customerId)).sort();
  };

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RATE_LIMIT_PER_MINUTE: '0', KEHU_RUN_WORKER: 'false' });
    tenant = await t.tenant();
    const transactions: object[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push(await createCustomer(t, tenant));
      for (let k = 0; k <= i; k++) {
        const amount = `${100 * (i + 1)}.00`;
        const category = i % 2 === 0 ? '外套' : 'shirts';
        const sku = i === 3 ? 'A12' : `SKU-${i}`;
        transactions.push(
          sale(ids[i], amount, {
            occurredAt: new Date(Date.now() - ((10 - i) * 20 + 3 * k) * DAY).toISOString(),
            items: [{ sku, name: 'item', category, quantity: 1, unitPrice: amount, amount }],
          }),
        );
      }
    }
    const batch = await post('/v1/transactions/batch', { transactions }).expect(200);
    expect(batch.body.results.every((r: { status: string }) => r.status === 'created')).toBe(true);
    await post('/v1/feedback', {
      customerId: ids[1],
      type: 'complaint',
      channel: 'store',
      subject: '尺码不对',
      body: '换货很慢',
      storeId: 'store-001',
    }).expect(201);
  });
  afterAll(() => t.close());

  it('evaluates stats, behaviour and feedback fields over the real read models', async () => {
    expect(await members('stats.frequency >= 9')).toEqual(['C8', 'C9']);
    expect(await members('stats.totalSpent >= 1000')).toEqual([
      'C3',
      'C4',
      'C5',
      'C6',
      'C7',
      'C8',
      'C9',
    ]);
    expect(await members('stats.lastPurchaseAt < now() - 90d')).toEqual([
      'C0',
      'C1',
      'C2',
      'C3',
      'C4',
      'C5',
    ]);
    expect(await members('stats.recencyDays <= 40')).toEqual(['C8', 'C9']);
    expect(await members('stats.aov = 500')).toEqual(['C4']);
    expect(await members('stats.spend12m > 8000')).toEqual(['C8', 'C9']);
    expect(
      await members('stats.favouriteCategory = "外套" and stats.favouriteStore = "store-001"'),
    ).toEqual(['C0', 'C2', 'C4', 'C6', 'C8']);
    expect(await members('purchased(category: "外套", within: 60d)')).toEqual(['C8']);
    expect(await members('purchased(sku: "A12")')).toEqual(['C3']);
    expect(await members('not purchased(within: 100d)')).toEqual([
      'C0',
      'C1',
      'C2',
      'C3',
      'C4',
      'C5',
    ]);
    expect(await members('feedback.openComplaints > 0')).toEqual(['C1']);
  });

  it('scores R, F, M by quintile, names segments, and shows them on the customer', async () => {
    const recomputed = await post('/v1/segments/rfm/recompute', {}).expect(200);
    expect(recomputed.body.scored).toBe(10);
    expect(await members('rfm.segment = "champions"')).toEqual(['C6', 'C7', 'C8', 'C9']);
    expect(await members('rfm.segment = "lost"')).toEqual(['C0', 'C1']);
    expect(await members('rfm.r = 5 and rfm.f = 5 and rfm.m = 5')).toEqual(['C8', 'C9']);
    expect(await members('rfm.spendClass = "high"')).toEqual(['C6', 'C7', 'C8', 'C9']);
    expect(await members('rfm.frequencyClass = "low"')).toEqual(['C0', 'C1', 'C2']);
    expect(await members('rfm.gold')).toEqual(['C8', 'C9']);

    const customer = await t.http
      .get(`/v1/customers/${ids[9]}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(customer.body.rfm).toMatchObject({
      r: 5,
      f: 5,
      m: 5,
      score: '555',
      segment: 'champions',
      spendClass: 'high',
      gold: true,
    });
  });

  it('refreshes built-in segments from the scores, with events for entries', async () => {
    const list = await t.http
      .get('/v1/segments?limit=500')
      .set('authorization', tenant.auth)
      .expect(200);
    const gold = list.body.items.find((s: { builtIn: string }) => s.builtIn === 'gold');
    const lapsed = list.body.items.find((s: { builtIn: string }) => s.builtIn === 'lapsed');
    for (const segment of [gold, lapsed])
      await post(`/v1/segments/${segment.id}/refresh`, {}).expect(202);
    await t.app.get(SegmentRefreshService).idle();
    expect(
      (await t.http.get(`/v1/segments/${gold.id}`).set('authorization', tenant.auth).expect(200))
        .body.memberCount,
    ).toBe(2);
    expect(
      (await t.http.get(`/v1/segments/${lapsed.id}`).set('authorization', tenant.auth).expect(200))
        .body.memberCount,
    ).toBe(2); // C0, C1: no purchase in 180 days
    expect(
      await t.count('events', `tenant_id = $1 AND type = 'segment.entered' AND subject_id = $2`, [
        tenant.tenantId,
        gold.id,
      ]),
    ).toBe(2);

    // The nightly job rescores and re-materialises only segments refreshed before.
    const champions = list.body.items.find(
      (s: { builtIn: string }) => s.builtIn === 'rfm.champions',
    );
    await t.sql(`UPDATE customers SET status = 'archived' WHERE tenant_id = $1 AND id = $2`, [
      tenant.tenantId,
      ids[9],
    ]);
    const job = t.app.get(JobRegistry).get('segments.rfm-nightly')!;
    await job.run({ tenantId: tenant.tenantId, day: '2026-11-23', now: new Date() });
    expect(
      (await t.http.get(`/v1/segments/${gold.id}`).set('authorization', tenant.auth).expect(200))
        .body.memberCount,
    ).toBe(1);
    expect(
      await t.count(
        'events',
        `tenant_id = $1 AND type = 'segment.exited' AND subject_id = $2 AND customer_id = $3`,
        [tenant.tenantId, gold.id, ids[9]],
      ),
    ).toBe(1);
    expect(
      (
        await t.http
          .get(`/v1/segments/${champions.id}`)
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.refreshedAt,
    ).toBeNull();
    await t.sql(`UPDATE customers SET status = 'active' WHERE tenant_id = $1 AND id = $2`, [
      tenant.tenantId,
      ids[9],
    ]);
    await post('/v1/segments/rfm/recompute', {}).expect(200);
    await post(`/v1/segments/${gold.id}/refresh`, {}).expect(202);
    await t.app.get(SegmentRefreshService).idle();
  });

  it('reports the overview, the R×F grid and the profile-quality leaderboard in the tenant calendar', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // Asia/Shanghai
    const from = new Date(Date.now() - 400 * DAY).toISOString().slice(0, 10);
    const get = (path: string) => t.http.get(path).set('authorization', tenant.auth);
    const overview = await get(`/v1/reports/overview?from=${from}&to=${today}`).expect(200);
    expect(overview.body).toMatchObject({
      period: { from, to: today, timeZone: 'Asia/Shanghai' },
      customers: { total: 10, new: 10, active: 10, lapsed: 2 },
      repeatPurchaseRate: 0.9,
      retentionRate: null,
      previousPeriodActive: 0,
      averageOrderValue: '700.00',
      revenue: '38500.00',
      memberRevenueShare: 1,
      currency: 'CNY',
    });
    expect(overview.body.points.issued).toBeGreaterThan(0);
    expect(
      (await get(`/v1/reports/overview?from=${from}&to=${today}&storeId=elsewhere`).expect(200))
        .body.customers.active,
    ).toBe(0);
    await get(`/v1/reports/overview?from=${today}&to=${from}`).expect(422);
    await get('/v1/reports/overview?from=yesterday').expect(422);

    const rfm = await get('/v1/reports/rfm').expect(200);
    expect(rfm.body.grid).toHaveLength(25);
    expect(rfm.body.grid[0]).toEqual({ r: 5, f: 5, customers: 2, monetary: '18100.00' });
    expect(
      rfm.body.grid.reduce((sum: number, c: { customers: number }) => sum + c.customers, 0),
    ).toBe(10);
    expect(rfm.body.segments).toEqual(
      expect.arrayContaining([
        { segment: 'champions', customers: 4, monetary: expect.any(String) },
      ]),
    );

    const quality = await get('/v1/reports/profile-quality?groupBy=staff').expect(200);
    expect(quality.body.groupBy).toBe('staff');
    expect(
      quality.body.rows.reduce((sum: number, r: { registered: number }) => sum + r.registered, 0),
    ).toBe(10);
    expect(quality.body.rows[0]).toMatchObject({ validPhoneShare: 0, duplicateRate: 0 });
    await get('/v1/reports/profile-quality?groupBy=city').expect(422);
    const noScope = await t.client(tenant, ['segments:read']);
    await t.http.get('/v1/reports/rfm').set('authorization', noScope.auth).expect(403);
  });

  it('mirrors segments and reports in GraphQL', async () => {
    const response = await t.graphql(
      tenant.auth,
      `query($q: RuleQuery!) {
         segmentPreview(query: $q) { count }
         segments(limit: 100) { items { name builtIn memberCount } }
         rfmReport { grid { r f customers } }
         profileQualityReport(filter: { groupBy: "store" }) { rows { registered } }
       }`,
      { q: 'rfm.gold' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.segmentPreview.count).toBe(2);
    expect(
      response.body.data.segments.items.find((s: { builtIn: string }) => s.builtIn === 'gold')
        .memberCount,
    ).toBe(2);
    expect(response.body.data.rfmReport.grid).toHaveLength(25);
    const created = await t.graphql(
      tenant.auth,
      `mutation { createSegment(input: { name: "gql", query: { field: "rfm.r", op: ">=", value: 4 } }) { id tree } }`,
    );
    expect(created.body.data.createSegment.tree).toEqual({ field: 'rfm.r', op: '>=', value: 4 });
    const refreshed = await t.graphql(
      tenant.auth,
      `mutation($id: ID!) { refreshSegment(id: $id) { status } }`,
      { id: created.body.data.createSegment.id },
    );
    expect(refreshed.body.data.refreshSegment.status).toBe('queued');
    await t.app.get(SegmentRefreshService).idle();
    const membersPage = await t.graphql(
      tenant.auth,
      `query($id: ID!) { segmentMembers(id: $id, limit: 3) { items { customerId } nextCursor } }`,
      { id: created.body.data.createSegment.id },
    );
    expect(membersPage.body.data.segmentMembers.items).toHaveLength(3);
    expect(membersPage.body.data.segmentMembers.nextCursor).toEqual(expect.any(String));
    const bad = await t.graphql(
      tenant.auth,
      `query { segmentPreview(query: "tier > 3") { count } }`,
    );
    expect(bad.body.errors[0].extensions).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'query', code: 'type_mismatch' }],
    });
  });
});
