import { Clock } from '../src/common/clock';
import { uuid7 } from '../src/common/uuid7';
import { CustomerExtensions } from '../src/customers/customer-extensions';
import { JobRegistry } from '../src/events/job-registry';
import { TestApp, TenantClient } from './support/test-app';

const T0 = '2026-11-23T08:00:00.000Z';

let receipt = 0;
function saleOf(customerId: string | null) {
  return {
    source: 'pos-1',
    externalId: `FB-${++receipt}-${Math.random().toString(36).slice(2, 8)}`,
    type: 'sale',
    occurredAt: T0,
    storeId: 'store-001',
    customer: customerId ? { id: customerId } : null,
    currency: 'CNY',
    total: '299.00',
    items: [
      {
        sku: 'COAT-M',
        name: 'Coat',
        category: 'coats',
        quantity: 1,
        unitPrice: '299.00',
        amount: '299.00',
      },
    ],
  };
}
const HOUR = 3_600_000;

describe('feedback: record, workflow, SLA, notes, overdue', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let clock: Clock;

  const complaint = (extra: Record<string, unknown> = {}) => ({
    type: 'complaint',
    channel: 'store',
    subject: 'Wrong size delivered',
    body: 'Bought a size M coat, the box contained an L.',
    storeId: 'store-001',
    severity: 'high',
    ...extra,
  });

  async function newCustomer(auth = tenant.auth): Promise<string> {
    const response = await t.http
      .post('/v1/customers')
      .set('authorization', auth)
      .send({ name: '张三' })
      .expect(201);
    return response.body.id as string;
  }

  function create(body: Record<string, unknown> = complaint(), auth = tenant.auth) {
    return t.http.post('/v1/feedback').set('authorization', auth).send(body);
  }

  function move(id: string, body: Record<string, unknown>, auth = tenant.auth) {
    return t.http.post(`/v1/feedback/${id}/transitions`).set('authorization', auth).send(body);
  }

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    clock = t.app.get(Clock);
  });
  beforeEach(() => clock.set(T0));
  afterAll(async () => {
    clock.reset();
    await t.close();
  });

  it('records a complaint as received with dueAt from the severity SLA and a feedback.created event', async () => {
    const customerId = await newCustomer();
    const response = await create(complaint({ customerId })).expect(201);
    expect(response.body).toMatchObject({
      type: 'complaint',
      channel: 'store',
      severity: 'high',
      status: 'received',
      customerId,
      storeId: 'store-001',
      allowedTransitions: ['acknowledged'],
      overdue: false,
      dueAt: new Date(Date.parse(T0) + 24 * HOUR).toISOString(),
      createdAt: T0,
    });
    const events = await t.sql<{ type: string; customer_id: string }>(
      `SELECT type, customer_id FROM events WHERE subject_id = $1`,
      [response.body.id],
    );
    expect(events).toEqual([{ type: 'feedback.created', customer_id: customerId }]);
  });

  it('defaults severity to normal (72 h) and takes SLA hours from tenant settings', async () => {
    const normal = await create(
      complaint({ severity: undefined, type: 'inquiry', channel: 'phone' }),
    ).expect(201);
    expect(normal.body.severity).toBe('normal');
    expect(normal.body.dueAt).toBe(new Date(Date.parse(T0) + 72 * HOUR).toISOString());
    const low = await create(complaint({ severity: 'low' })).expect(201);
    expect(low.body.dueAt).toBe(new Date(Date.parse(T0) + 7 * 24 * HOUR).toISOString());

    const other = await t.tenant();
    await t.sql(`UPDATE tenants SET settings = $2 WHERE id = $1`, [
      other.tenantId,
      { feedback: { slaHours: { critical: 2 } } },
    ]);
    const critical = await create(complaint({ severity: 'critical' }), other.auth).expect(201);
    expect(critical.body.dueAt).toBe(new Date(Date.parse(T0) + 2 * HOUR).toISOString());
    const high = await create(complaint({ severity: 'high' }), other.auth).expect(201);
    expect(high.body.dueAt).toBe(new Date(Date.parse(T0) + 24 * HOUR).toISOString());
  });

  it('walks the whole workflow, storing actor, time and note of every step', async () => {
    const { body: item } = await create().expect(201);
    clock.advance(HOUR);
    const acknowledged = await move(item.id, { to: 'acknowledged', note: 'Called back' }).expect(
      200,
    );
    expect(acknowledged.body).toMatchObject({
      status: 'acknowledged',
      firstResponseAt: '2026-11-23T09:00:00.000Z',
      allowedTransitions: ['in_progress'],
    });
    await move(item.id, { to: 'in_progress' }).expect(200);
    clock.advance(HOUR);
    const resolved = await move(item.id, {
      to: 'resolved',
      resolution: 'Exchanged for size M',
      category: 'fulfilment',
      note: 'done',
    }).expect(200);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      resolution: 'Exchanged for size M',
      category: 'fulfilment',
      resolvedAt: '2026-11-23T10:00:00.000Z',
      allowedTransitions: ['closed', 'reopened'],
    });
    await move(item.id, { to: 'reopened', note: 'Customer says the M is also wrong' }).expect(200);
    await move(item.id, { to: 'in_progress' }).expect(200);
    await move(item.id, { to: 'resolved', resolution: 'Refunded', category: 'fulfilment' }).expect(
      200,
    );
    const closed = await move(item.id, { to: 'closed' }).expect(200);
    expect(closed.body).toMatchObject({
      status: 'closed',
      allowedTransitions: [],
      closedAt: '2026-11-23T10:00:00.000Z',
    });

    const detail = await t.http
      .get(`/v1/feedback/${item.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(
      detail.body.transitions.map((s: { from: string; to: string }) => `${s.from}>${s.to}`),
    ).toEqual([
      'received>acknowledged',
      'acknowledged>in_progress',
      'in_progress>resolved',
      'resolved>reopened',
      'reopened>in_progress',
      'in_progress>resolved',
      'resolved>closed',
    ]);
    expect(detail.body.transitions[0]).toMatchObject({
      actor: `client:${tenant.clientId}`,
      note: 'Called back',
      at: '2026-11-23T09:00:00.000Z',
    });
    const resolvedEvents = await t.count(
      'events',
      `subject_id = $1 AND type = 'feedback.resolved'`,
      [item.id],
    );
    expect(resolvedEvents).toBe(2);

    const final = await move(item.id, { to: 'reopened' }).expect(409);
    expect(final.body).toMatchObject({
      code: 'invalid_transition',
      currentStatus: 'closed',
      allowedTransitions: [],
    });
  });

  it('refuses a transition the table does not allow with 409 naming the allowed ones, writing nothing', async () => {
    const { body: item } = await create().expect(201);
    const refused = await move(item.id, { to: 'resolved', resolution: 'x', category: 'y' }).expect(
      409,
    );
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'invalid_transition',
      currentStatus: 'received',
      allowedTransitions: ['acknowledged'],
    });
    expect(refused.body.detail).toContain('acknowledged');
    expect(await t.count('feedback_transitions', 'feedback_id = $1', [item.id])).toBe(0);
    expect(
      (
        await t.sql<{ status: string; version: number }>(
          `SELECT status, version FROM feedback WHERE id = $1`,
          [item.id],
        )
      )[0],
    ).toEqual({ status: 'received', version: 1 });
  });

  it('needs a resolution and a category to resolve', async () => {
    const { body: item } = await create().expect(201);
    await move(item.id, { to: 'acknowledged' }).expect(200);
    await move(item.id, { to: 'in_progress' }).expect(200);
    const missing = await move(item.id, { to: 'resolved' }).expect(422);
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'category',
      'resolution',
    ]);
    expect(await t.count('feedback_transitions', 'feedback_id = $1', [item.id])).toBe(2);
    expect(
      await t.count('events', `subject_id = $1 AND type = 'feedback.resolved'`, [item.id]),
    ).toBe(0);
    await move(item.id, { to: 'bogus' }).expect(422);
  });

  it('lets exactly one of two concurrent transitions win; the other gets 409', async () => {
    for (let round = 0; round < 3; round++) {
      const { body: item } = await create().expect(201);
      const results = await Promise.all([
        move(item.id, { to: 'acknowledged', note: 'a' }),
        move(item.id, { to: 'acknowledged', note: 'b' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(['invalid_transition', 'conflict']).toContain(loser.body.code);
      expect(await t.count('feedback_transitions', 'feedback_id = $1', [item.id])).toBe(1);
      expect(
        (
          await t.sql<{ version: number }>(`SELECT version FROM feedback WHERE id = $1`, [item.id])
        )[0].version,
      ).toBe(2);
    }
  });

  it('assigns, keeps a notes thread and filters the list', async () => {
    const store = `store-${Math.random().toString(36).slice(2, 7)}`;
    const { body: a } = await create(complaint({ storeId: store })).expect(201);
    const { body: b } = await create(
      complaint({ storeId: store, type: 'praise', severity: 'low' }),
    ).expect(201);
    const assigned = await t.http
      .post(`/v1/feedback/${a.id}/assignment`)
      .set('authorization', tenant.auth)
      .send({ assignee: 'staff-li-na' })
      .expect(200);
    expect(assigned.body.assignee).toBe('staff-li-na');
    await t.http
      .post(`/v1/feedback/${a.id}/notes`)
      .set('authorization', tenant.auth)
      .send({ body: 'first' })
      .expect(201);
    clock.advance(1000);
    await t.http
      .post(`/v1/feedback/${a.id}/notes`)
      .set('authorization', tenant.auth)
      .send({ body: 'second' })
      .expect(201);
    const notes = await t.http
      .get(`/v1/feedback/${a.id}/notes?limit=1`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(notes.body.items.map((n: { body: string }) => n.body)).toEqual(['second']);
    const more = await t.http
      .get(`/v1/feedback/${a.id}/notes?limit=1&cursor=${notes.body.nextCursor}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(more.body).toMatchObject({
      items: [{ body: 'first', author: `client:${tenant.clientId}` }],
      nextCursor: null,
    });

    const byStore = await t.http
      .get(`/v1/feedback?storeId=${store}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(byStore.body.items.map((i: { id: string }) => i.id)).toEqual([b.id, a.id]);
    const byType = await t.http
      .get(`/v1/feedback?storeId=${store}&type=praise`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(byType.body.items.map((i: { id: string }) => i.id)).toEqual([b.id]);
    const byAssignee = await t.http
      .get(`/v1/feedback?assignee=staff-li-na`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(byAssignee.body.items.map((i: { id: string }) => i.id)).toEqual([a.id]);
    await t.http.get(`/v1/feedback?status=nope`).set('authorization', tenant.auth).expect(422);
    await t.http.get(`/v1/feedback/${uuid7()}`).set('authorization', tenant.auth).expect(404);
    await t.http.get(`/v1/feedback/not-a-uuid`).set('authorization', tenant.auth).expect(404);
  });

  it('lists overdue items and the feedback.overdue job reports each once', async () => {
    const other = await t.tenant();
    const { body: critical } = await create(complaint({ severity: 'critical' }), other.auth).expect(
      201,
    );
    const { body: high } = await create(complaint({ severity: 'high' }), other.auth).expect(201);
    const { body: done } = await create(complaint({ severity: 'critical' }), other.auth).expect(
      201,
    );
    await move(done.id, { to: 'acknowledged' }, other.auth).expect(200);
    await move(done.id, { to: 'in_progress' }, other.auth).expect(200);
    await move(
      done.id,
      { to: 'resolved', resolution: 'ok', category: 'service' },
      other.auth,
    ).expect(200);

    clock.advance(5 * HOUR);
    const overdue = await t.http
      .get('/v1/feedback?overdue=true')
      .set('authorization', other.auth)
      .expect(200);
    expect(overdue.body.items.map((i: { id: string }) => i.id)).toEqual([critical.id]);
    expect(overdue.body.items[0].overdue).toBe(true);
    const notOverdue = await t.http
      .get('/v1/feedback?overdue=false')
      .set('authorization', other.auth)
      .expect(200);
    expect(notOverdue.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [high.id, done.id].sort(),
    );

    const job = t.app.get(JobRegistry).get('feedback.overdue')!;
    expect(job).toBeDefined();
    await job.run({ tenantId: other.tenantId, day: '2026-11-23', now: clock.now() });
    await job.run({ tenantId: other.tenantId, day: '2026-11-23', now: clock.now() });
    const overdueEvents = async () =>
      (
        await t.sql<{ subject_id: string }>(
          `SELECT subject_id FROM events WHERE tenant_id = $1 AND type = 'feedback.overdue' ORDER BY subject_id`,
          [other.tenantId],
        )
      ).map((e) => e.subject_id);
    expect(await overdueEvents()).toEqual([critical.id]);

    clock.advance(24 * HOUR);
    await job.run({ tenantId: other.tenantId, day: '2026-11-24', now: clock.now() });
    expect(await overdueEvents()).toEqual([critical.id, high.id].sort());
  });

  it('schedules a satisfaction call-back (回访) when a complaint is resolved, and records its CSAT', async () => {
    const customerId = await newCustomer();
    const { body: item } = await create(complaint({ customerId })).expect(201);
    await t.http
      .post(`/v1/feedback/${item.id}/assignment`)
      .set('authorization', tenant.auth)
      .send({ assignee: 'staff-wang' })
      .expect(200);
    await move(item.id, { to: 'acknowledged' }).expect(200);
    await move(item.id, { to: 'in_progress' }).expect(200);
    const early = await t.http
      .post(`/v1/feedback/${item.id}/follow-up/complete`)
      .set('authorization', tenant.auth)
      .send({ outcome: 'x' })
      .expect(409);
    expect(early.body.code).toBe('conflict');
    const resolved = await move(item.id, {
      to: 'resolved',
      resolution: 'Exchanged',
      category: 'fulfilment',
    }).expect(200);
    expect(resolved.body.followUpId).toEqual(expect.any(String));

    const open = await t.http
      .get('/v1/follow-ups?status=open&assignee=staff-wang')
      .set('authorization', tenant.auth)
      .expect(200);
    const followUp = open.body.items.find((f: { id: string }) => f.id === resolved.body.followUpId);
    expect(followUp).toMatchObject({
      customerId,
      source: 'feedback',
      status: 'open',
      dueAt: new Date(Date.parse(T0) + 48 * HOUR).toISOString(),
    });

    const completed = await t.http
      .post(`/v1/feedback/${item.id}/follow-up/complete`)
      .set('authorization', tenant.auth)
      .send({ outcome: 'Happy with the exchange', csat: 4 })
      .expect(200);
    expect(completed.body).toMatchObject({ followUpCsat: 4, followUpId: followUp.id });
    const done = await t.http
      .get('/v1/follow-ups?status=done&assignee=staff-wang')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(done.body.items.map((f: { id: string; outcome: string }) => [f.id, f.outcome])).toEqual([
      [followUp.id, 'Happy with the exchange'],
    ]);
    await t.http
      .post(`/v1/feedback/${item.id}/follow-up/complete`)
      .set('authorization', tenant.auth)
      .send({ outcome: 'again', csat: 5 })
      .expect(409);
    await t.http
      .post(`/v1/feedback/${item.id}/follow-up/complete`)
      .set('authorization', tenant.auth)
      .send({ outcome: 'bad', csat: 6 })
      .expect(422);
    expect(
      (
        await t.sql<{ follow_up_csat: number }>(
          `SELECT follow_up_csat FROM feedback WHERE id = $1`,
          [item.id],
        )
      )[0].follow_up_csat,
    ).toBe(4);

    const report = await t.http
      .get('/v1/reports/satisfaction')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(report.body.callBackCsat).toMatchObject({ responses: 1, mean: 4 });

    // Only complaints with a customer get a call-back.
    const { body: praise } = await create(complaint({ customerId, type: 'praise' })).expect(201);
    const { body: anonymous } = await create(complaint()).expect(201);
    for (const id of [praise.id, anonymous.id]) {
      await move(id, { to: 'acknowledged' }).expect(200);
      await move(id, { to: 'in_progress' }).expect(200);
      expect(
        (await move(id, { to: 'resolved', resolution: 'ok', category: 'other' }).expect(200)).body
          .followUpId,
      ).toBeNull();
    }
  });

  it('links a transaction of the same customer, and takes the customer from the transaction when none is given', async () => {
    const customerId = await newCustomer();
    const sale = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(saleOf(customerId))
      .expect(201);
    const linked = await create(complaint({ customerId, transactionId: sale.body.id })).expect(201);
    expect(linked.body).toMatchObject({ customerId, transactionId: sale.body.id });
    const inferred = await create(complaint({ transactionId: sale.body.id })).expect(201);
    expect(inferred.body.customerId).toBe(customerId);
    const anonymousSale = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(saleOf(null))
      .expect(201);
    expect(
      (await create(complaint({ transactionId: anonymousSale.body.id })).expect(201)).body
        .customerId,
    ).toBeNull();
  });

  it('refuses a transaction of another customer, or of none, or unknown — writing nothing', async () => {
    const [owner, other] = [await newCustomer(), await newCustomer()];
    const sale = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(saleOf(owner))
      .expect(201);
    const anonymousSale = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(saleOf(null))
      .expect(201);
    const before = {
      feedback: await t.count('feedback', 'tenant_id = $1', [tenant.tenantId]),
      events: await t.count('events', 'tenant_id = $1', [tenant.tenantId]),
    };
    for (const body of [
      complaint({ customerId: other, transactionId: sale.body.id }),
      complaint({ customerId: other, transactionId: anonymousSale.body.id }),
      complaint({ customerId: other, transactionId: uuid7() }),
    ]) {
      const refused = await create(body).expect(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'transactionId' })]);
    }
    expect(await t.count('feedback', 'tenant_id = $1', [tenant.tenantId])).toBe(before.feedback);
    expect(await t.count('events', 'tenant_id = $1', [tenant.tenantId])).toBe(before.events);
  });

  it("store staff see and handle only their own store's feedback; managers see all", async () => {
    const shop = await t.tenant();
    const clerk = await t.staff(shop, 'staff', { storeId: 'store-001' });
    const manager = await t.staff(shop, 'manager');
    const { body: own } = await create(complaint({ storeId: 'store-001' }), clerk.auth).expect(201);
    const { body: other } = await create(complaint({ storeId: 'store-002' }), manager.auth).expect(
      201,
    );
    expect(own.createdBy).toMatch(/^staff:/);

    await create(complaint({ storeId: 'store-002' }), clerk.auth).expect(403);
    const mine = await t.http.get('/v1/feedback').set('authorization', clerk.auth).expect(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([own.id]);
    const asked = await t.http
      .get('/v1/feedback?storeId=store-002')
      .set('authorization', clerk.auth)
      .expect(200);
    expect(asked.body.items).toEqual([]);
    await t.http.get(`/v1/feedback/${other.id}`).set('authorization', clerk.auth).expect(404);
    await move(other.id, { to: 'acknowledged' }, clerk.auth).expect(404);
    await move(own.id, { to: 'acknowledged' }, clerk.auth).expect(200);
    const all = await t.http.get('/v1/feedback').set('authorization', manager.auth).expect(200);
    expect(all.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [own.id, other.id].sort(),
    );
    expect(await t.count('feedback', 'tenant_id = $1', [shop.tenantId])).toBe(2);
  });

  describe('bad input: clear 4xx, nothing written', () => {
    let bad: TenantClient;
    beforeAll(async () => {
      bad = await t.tenant();
    });
    const nothingWritten = async () => {
      expect(await t.count('feedback', 'tenant_id = $1', [bad.tenantId])).toBe(0);
      expect(await t.count('events', 'tenant_id = $1', [bad.tenantId])).toBe(0);
    };

    it.each([
      ['unknown type', { type: 'rant' }, 'type'],
      ['unknown channel', { channel: 'fax' }, 'channel'],
      ['unknown severity', { severity: 'urgent' }, 'severity'],
      ['body over 10,000 characters', { body: 'x'.repeat(10_001) }, 'body'],
      ['unknown field', { mood: 'angry' }, 'mood'],
      ['customer of nobody', { customerId: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' }, 'customerId'],
    ])('%s', async (_label, patch, field) => {
      const response = await create(complaint(patch), bad.auth).expect(422);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      await nothingWritten();
    });

    it('empty body names every required field', async () => {
      const response = await t.http
        .post('/v1/feedback')
        .set('authorization', bad.auth)
        .send({})
        .expect(422);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'body',
        'channel',
        'storeId',
        'subject',
        'type',
      ]);
      await nothingWritten();
    });

    it('a customer of another tenant is unknown here', async () => {
      const foreign = await newCustomer();
      await create(complaint({ customerId: foreign }), bad.auth).expect(422);
      await nothingWritten();
    });

    it('a read-only token cannot write', async () => {
      const reader = await t.client(bad, ['feedback:read']);
      await create(complaint(), reader.auth).expect(403);
      await nothingWritten();
    });
  });

  it('moves feedback to the survivor when customers merge', async () => {
    const survivor = await newCustomer();
    const source = await newCustomer();
    const { body: item } = await create(complaint({ customerId: source })).expect(201);
    await t.database.withTenant(tenant.tenantId, (tx) =>
      t.app.get(CustomerExtensions).runMergeHandlers(tx, survivor, [source]),
    );
    const moved = await t.http
      .get(`/v1/feedback/${item.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(moved.body.customerId).toBe(survivor);
  });

  it('GraphQL mirrors the same operations and error codes', async () => {
    const created = await t.graphql(
      tenant.auth,
      `mutation($input: CreateFeedbackInput!) { createFeedback(input: $input) { id status severity dueAt allowedTransitions } }`,
      { input: complaint({ severity: 'critical' }) },
    );
    expect(created.body.errors).toBeUndefined();
    const item = created.body.data.createFeedback;
    expect(item).toMatchObject({
      status: 'received',
      dueAt: new Date(Date.parse(T0) + 4 * HOUR).toISOString(),
    });

    const refused = await t.graphql(
      tenant.auth,
      `mutation($id: ID!) { transitionFeedback(id: $id, input: { to: "closed" }) { id } }`,
      { id: item.id },
    );
    expect(refused.body.errors[0].extensions).toMatchObject({
      code: 'invalid_transition',
      allowedTransitions: ['acknowledged'],
    });

    const moved = await t.graphql(
      tenant.auth,
      `mutation($id: ID!) { transitionFeedback(id: $id, input: { to: "acknowledged", note: "seen" }) { status transitions { to note } } }`,
      { id: item.id },
    );
    expect(moved.body.data.transitionFeedback).toEqual({
      status: 'acknowledged',
      transitions: [{ to: 'acknowledged', note: 'seen' }],
    });
    await t.graphql(
      tenant.auth,
      `mutation($id: ID!) { addFeedbackNote(id: $id, input: { body: "n" }) { id } }`,
      { id: item.id },
    );
    await t.graphql(
      tenant.auth,
      `mutation($id: ID!) { assignFeedback(id: $id, input: { assignee: "gql-staff" }) { id } }`,
      { id: item.id },
    );

    const listed = await t.graphql(
      tenant.auth,
      `{ feedbackList(filter: { assignee: "gql-staff" }) { items { id assignee status } nextCursor } }`,
    );
    expect(listed.body.data.feedbackList).toEqual({
      items: [{ id: item.id, assignee: 'gql-staff', status: 'acknowledged' }],
      nextCursor: null,
    });

    const invalid = await t.graphql(
      tenant.auth,
      `mutation($input: CreateFeedbackInput!) { createFeedback(input: $input) { id } }`,
      {
        input: complaint({ channel: 'fax' }),
      },
    );
    expect(invalid.body.errors[0].extensions.code).toBe('validation_failed');
  });
});
