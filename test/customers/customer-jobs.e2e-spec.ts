import { Clock } from '../../src/common/clock';
import { CustomerJobsService } from '../../src/customers/customer-jobs.service';
import { JobRegistry } from '../../src/events/job-registry';
import { TestApp, TenantClient } from '../support/test-app';

describe('customers: follow-up rules and birthday job', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let jobs: CustomerJobsService;
  let clock: Clock;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    jobs = t.app.get(CustomerJobsService);
    clock = t.app.get(Clock);
  });
  afterAll(() => t.close());

  it('registers the daily jobs with the scheduler', () => {
    const registry = t.app.get(JobRegistry);
    expect(registry.get('customers.birthdays')?.at).toBe('09:00');
    expect(registry.get('customers.follow-up-rules')).toBeDefined();
  });

  it('creates one follow-up per profile left unconfirmed for 180 days, and again after the next confirmation lapses', async () => {
    clock.set('2026-01-01T00:00:00Z');
    const old = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'Old' })
        .expect(201)
    ).body;
    clock.set('2026-06-01T00:00:00Z');
    const fresh = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'Fresh' })
        .expect(201)
    ).body;
    clock.reset();

    const now = new Date('2026-07-15T00:00:00Z');
    expect(await jobs.runFollowUpRules(tenant.tenantId, now)).toMatchObject({ profileStale: 1 });
    expect(await jobs.runFollowUpRules(tenant.tenantId, now)).toMatchObject({ profileStale: 0 });
    const listed = await t.http
      .get('/v1/follow-ups?status=open')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        customerId: old.id,
        source: 'rule:profile_stale',
        dueAt: '2026-07-22T00:00:00.000Z',
      }),
    ]);
    expect(await t.count('customer_follow_ups', 'customer_id = $1', [fresh.id])).toBe(0);

    // Confirming the profile (any PATCH) restarts the period.
    clock.set('2026-07-16T00:00:00Z');
    await t.http
      .patch(`/v1/customers/${old.id}`)
      .set('authorization', tenant.auth)
      .send({ shoeSize: '39' })
      .expect(200);
    clock.reset();
    expect(
      await jobs.runFollowUpRules(tenant.tenantId, new Date('2026-12-01T00:00:00Z')),
    ).toMatchObject({ profileStale: 1 }); // fresh only
    expect(
      await jobs.runFollowUpRules(tenant.tenantId, new Date('2027-02-01T00:00:00Z')),
    ).toMatchObject({ profileStale: 1 }); // old again
  });

  it("schedules a welcome call a few days after a new member's first purchase, once", async () => {
    clock.set('2027-03-01T00:00:00Z');
    const member = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'New' })
        .expect(201)
    ).body;
    clock.reset();
    // The transactions feature records this event when a sale is posted.
    for (const at of ['2027-03-02T10:00:00Z', '2027-03-05T10:00:00Z']) {
      await t.sql(
        `INSERT INTO events (tenant_id, id, type, customer_id, payload, created_at) VALUES ($1, kehu_uuid7(), 'transaction.created', $2, '{}', $3)`,
        [tenant.tenantId, member.id, at],
      );
    }
    expect(
      await jobs.runFollowUpRules(tenant.tenantId, new Date('2027-03-06T00:00:00Z')),
    ).toMatchObject({ welcomeCalls: 1 });
    expect(
      await jobs.runFollowUpRules(tenant.tenantId, new Date('2027-03-07T00:00:00Z')),
    ).toMatchObject({ welcomeCalls: 0 });
    const [row] = await t.sql<{ due_at: Date; source: string }>(
      'SELECT due_at, source FROM customer_follow_ups WHERE customer_id = $1',
      [member.id],
    );
    expect(row).toEqual({ due_at: new Date('2027-03-05T10:00:00Z'), source: 'rule:welcome_call' });
  });

  it('emits customer.birthday for customers born on the day (29 February on 28 February in common years)', async () => {
    const may = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'May', birthday: '1991-05-17' })
        .expect(201)
    ).body;
    const leap = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'Leap', birthday: '--02-29' })
        .expect(201)
    ).body;
    await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ name: 'Other', birthday: '1991-05-18' })
      .expect(201);
    expect(await jobs.emitBirthdays(tenant.tenantId, '2027-05-17')).toBe(1);
    const [event] = await t.sql<{ customer_id: string; payload: Record<string, unknown> }>(
      `SELECT customer_id, payload FROM events WHERE tenant_id = $1 AND type = 'customer.birthday'`,
      [tenant.tenantId],
    );
    expect(event).toEqual({
      customer_id: may.id,
      payload: { customerId: may.id, memberNo: may.memberNo, day: '2027-05-17', birthYear: 1991 },
    });
    // It entered the stream the feed and webhooks read: without marketing consent the feed
    // leaves it out, but its cursor moves past the event's seq.
    const feed = await t.http
      .get('/v1/events?types=customer.birthday')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(feed.body).toMatchObject({ items: [], nextCursor: expect.not.stringMatching(/^0$/) });
    expect(await jobs.emitBirthdays(tenant.tenantId, '2027-02-28')).toBe(1);
    expect(
      await t.count('events', `customer_id = $1 AND type = 'customer.birthday'`, [leap.id]),
    ).toBe(1);
    expect(await jobs.emitBirthdays(tenant.tenantId, '2028-02-28')).toBe(0);
  });
});
