import { TestApp, TenantClient } from '../support/test-app';

describe('customers: interactions and follow-ups', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let customerId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    customerId = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: '王五' })
        .expect(201)
    ).body.id;
  });
  afterAll(() => t.close());

  it('logs interactions and lists them newest first with a cursor', async () => {
    for (const summary of ['first', 'second', 'third']) {
      await t.http
        .post(`/v1/customers/${customerId}/interactions`)
        .set('authorization', tenant.auth)
        .send({ type: 'call', summary })
        .expect(201);
    }
    const page1 = await t.http
      .get(`/v1/customers/${customerId}/interactions?limit=2`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(page1.body.items.map((i: { summary: string }) => i.summary)).toEqual([
      'third',
      'second',
    ]);
    const page2 = await t.http
      .get(`/v1/customers/${customerId}/interactions?limit=2&cursor=${page1.body.nextCursor}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(page2.body.items.map((i: { summary: string }) => i.summary)).toEqual(['first']);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('refuses an oversize note and an unknown type, writing nothing', async () => {
    const before = await t.count('customer_interactions', 'tenant_id = $1', [tenant.tenantId]);
    const long = await t.http
      .post(`/v1/customers/${customerId}/interactions`)
      .set('authorization', tenant.auth)
      .send({ type: 'note', summary: 'x'.repeat(5001) })
      .expect(422);
    expect(long.body.errors[0]).toMatchObject({ field: 'summary', code: 'too_long' });
    await t.http
      .post(`/v1/customers/${customerId}/interactions`)
      .set('authorization', tenant.auth)
      .send({ type: 'fax', summary: 'hi' })
      .expect(422);
    expect(await t.count('customer_interactions', 'tenant_id = $1', [tenant.tenantId])).toBe(
      before,
    );
  });

  it('schedules a follow-up, lists it by assignee and due date, completes it once with an interaction', async () => {
    const created = await t.http
      .post(`/v1/customers/${customerId}/follow-ups`)
      .set('authorization', tenant.auth)
      .send({ reason: 'Ask about sizes', dueAt: '2026-12-01T09:00:00+08:00', assignee: 'staff-7' })
      .expect(201);
    expect(created.body).toMatchObject({
      status: 'open',
      assignee: 'staff-7',
      source: 'manual',
      dueAt: '2026-12-01T01:00:00.000Z',
    });
    const mine = await t.http
      .get('/v1/follow-ups?assignee=staff-7&status=open&dueBefore=2026-12-02T00:00:00Z')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(mine.body.items.map((f: { id: string }) => f.id)).toEqual([created.body.id]);
    const notYet = await t.http
      .get('/v1/follow-ups?assignee=staff-7&dueBefore=2026-11-30T00:00:00Z')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(notYet.body.items).toEqual([]);

    const interactionsBefore = await t.count('customer_interactions', 'customer_id = $1', [
      customerId,
    ]);
    const done = await t.http
      .post(`/v1/follow-ups/${created.body.id}/complete`)
      .set('authorization', tenant.auth)
      .send({ outcome: 'Sizes updated', type: 'wechat' })
      .expect(200);
    expect(done.body).toMatchObject({ status: 'done', outcome: 'Sizes updated' });
    expect(
      await t.count(
        'customer_interactions',
        'customer_id = $1 AND follow_up_id = $2 AND type = $3',
        [customerId, created.body.id, 'wechat'],
      ),
    ).toBe(1);
    const twice = await t.http
      .post(`/v1/follow-ups/${created.body.id}/complete`)
      .set('authorization', tenant.auth)
      .send({ outcome: 'again' })
      .expect(409);
    expect(twice.body.code).toBe('invalid_transition');
    expect(await t.count('customer_interactions', 'customer_id = $1', [customerId])).toBe(
      interactionsBefore + 1,
    );
  });
});
