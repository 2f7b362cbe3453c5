import { Webhook } from 'standardwebhooks';
import { EventSequencer } from '../src/events/event-sequencer.service';
import { WebhookDispatcher } from '../src/events/webhook-dispatcher.service';
import { clockOf, emit, HOUR, pump } from './support/events-helpers';
import { TestApp, TenantClient } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CUSTOMER_X = '0193a8f2-0000-7000-8000-00000000000a';
const CUSTOMER_Y = '0193a8f2-0000-7000-8000-00000000000b';

describe('webhooks: subscriptions, signed deliveries, retries, ordering', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await TestApp.start({
      KEHU_WEBHOOK_ALLOW_PRIVATE: 'true',
      KEHU_WEBHOOK_TIMEOUT_MS: '1500',
      KEHU_WEBHOOK_DISABLE_AFTER_FAILURES: '3',
    });
    receiver = await WebhookReceiver.start();
  });
  afterEach(() => clockOf(t).reset());
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  async function subscribe(tenant: TenantClient, path: string, body: Record<string, unknown> = {}) {
    const response = await t.http
      .post('/v1/webhooks')
      .set('authorization', tenant.auth)
      .send({ url: receiver.url(path), events: ['*'], ...body })
      .expect(201);
    return response.body as { id: string; secret: string };
  }

  const deliveries = async (tenant: TenantClient, webhookId: string) =>
    (
      await t.http
        .get(`/v1/webhooks/${webhookId}/deliveries`)
        .set('authorization', tenant.auth)
        .expect(200)
    ).body.items;

  it('manages subscriptions and refuses unknown event types and malformed secrets', async () => {
    const tenant = await t.tenant();
    const created = await t.http
      .post('/v1/webhooks')
      .set('authorization', tenant.auth)
      .send({
        url: receiver.url('/ok/crud'),
        events: ['customer.created', 'tier.changed'],
        description: 'CRM',
      })
      .expect(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.headers.location).toBe(`/v1/webhooks/${created.body.id}`);
    const got = await t.http
      .get(`/v1/webhooks/${created.body.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(got.body.secret).toBeUndefined();
    expect(got.body).toMatchObject({
      events: ['customer.created', 'tier.changed'],
      active: true,
      description: 'CRM',
    });

    const stale = got.headers.etag;
    await t.http
      .patch(`/v1/webhooks/${created.body.id}`)
      .set('authorization', tenant.auth)
      .set('if-match', stale)
      .send({ events: ['*'] })
      .expect(200);
    await t.http
      .patch(`/v1/webhooks/${created.body.id}`)
      .set('authorization', tenant.auth)
      .set('if-match', stale)
      .send({ active: false })
      .expect(412);

    const bad = await t.http
      .post('/v1/webhooks')
      .set('authorization', tenant.auth)
      .send({
        url: receiver.url('/ok'),
        events: ['customer.created', 'customer.create'],
        secret: 'not-a-secret',
      })
      .expect(422);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'events[1]', code: 'unknown_event_type' }),
        expect.objectContaining({ field: 'secret', code: 'invalid_secret' }),
      ]),
    );
    expect(await t.count('webhooks', 'tenant_id = $1', [tenant.tenantId])).toBe(1);

    const list = await t.http.get('/v1/webhooks').set('authorization', tenant.auth).expect(200);
    expect(list.body.items).toHaveLength(1);
    await t.http
      .delete(`/v1/webhooks/${created.body.id}`)
      .set('authorization', tenant.auth)
      .expect(204);
    await t.http
      .get(`/v1/webhooks/${created.body.id}`)
      .set('authorization', tenant.auth)
      .expect(404);
    await t.http.get('/v1/webhooks/not-a-uuid').set('authorization', tenant.auth).expect(404);
    const noScope = await t.client(tenant, ['customers:read']);
    await t.http.get('/v1/webhooks').set('authorization', noScope.auth).expect(403);
  });

  it('signs deliveries so the standardwebhooks library verifies them, and strips PII without pii:read', async () => {
    const tenant = await t.tenant();
    const withPii = await subscribe(tenant, '/ok/pii', { secret: SECRET });
    const limited = await t.client(tenant, ['webhooks:admin']);
    const withoutPii = await subscribe(limited, '/ok/nopii');
    await emit(t, tenant.tenantId, [
      {
        type: 'customer.created',
        customerId: CUSTOMER_X,
        payload: {
          customerId: CUSTOMER_X,
          phone: '+8613800000000',
          tier: 'member',
          pii: { name: '张三' },
        },
      },
    ]);
    expect(await pump(t, tenant.tenantId)).toBe(2);

    const [full] = receiver.at('/ok/pii');
    const verified = new Webhook(SECRET).verify(full.body, full.headers) as {
      type: string;
      data: { data: Record<string, unknown> };
    };
    expect(verified.type).toBe('customer.created');
    expect(verified.data.data).toMatchObject({ phone: '+8613800000000', tier: 'member' });
    expect(full.headers['webhook-id']).toBe(full.json.data.id);

    const [redacted] = receiver.at('/ok/nopii');
    expect(() =>
      new Webhook(withoutPii.secret).verify(redacted.body, redacted.headers),
    ).not.toThrow();
    expect(redacted.json.data.data).toEqual({ customerId: CUSTOMER_X, tier: 'member' });
    expect(() => new Webhook(SECRET).verify(redacted.body, redacted.headers)).toThrow();

    const log = await deliveries(tenant, withPii.id);
    expect(log[0]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 204,
      eventType: 'customer.created',
    });
    expect(log[0].attemptLog[0]).toMatchObject({
      outcome: 'succeeded',
      statusCode: 204,
      latencyMs: expect.any(Number),
    });
  });

  it('rotates the secret with both secrets valid during the overlap, then only the new one', async () => {
    const tenant = await t.tenant();
    const hook = await subscribe(tenant, '/ok/rotate', { secret: SECRET });
    const rotated = await t.http
      .post(`/v1/webhooks/${hook.id}/rotate-secret`)
      .set('authorization', tenant.auth)
      .send({ overlapMinutes: 60 })
      .expect(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(SECRET);
    expect(rotated.body.previousSecretExpiresAt).toEqual(expect.any(String));

    await emit(t, tenant.tenantId, [
      { type: 'customer.updated', customerId: CUSTOMER_X, payload: { changed: ['name'] } },
    ]);
    await pump(t, tenant.tenantId);
    const during = receiver.at('/ok/rotate')[0];
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(SECRET).verify(during.body, during.headers)).not.toThrow();
    expect(() => new Webhook(fresh).verify(during.body, during.headers)).not.toThrow();

    clockOf(t).advance(61 * 60 * 1000);
    await emit(t, tenant.tenantId, [
      { type: 'customer.updated', customerId: CUSTOMER_X, payload: { changed: ['email'] } },
    ]);
    await pump(t, tenant.tenantId);
    const after = receiver.at('/ok/rotate')[1];
    expect(after.headers['webhook-signature'].split(' ')).toHaveLength(1);
    // The library checks the timestamp against the real clock, so compare signatures directly.
    const expected = new Webhook(fresh).sign(
      after.headers['webhook-id'],
      new Date(Number(after.headers['webhook-timestamp']) * 1000),
      after.body,
    );
    expect(after.headers['webhook-signature']).toBe(expected);
    expect(after.headers['webhook-signature']).not.toBe(
      new Webhook(SECRET).sign(
        after.headers['webhook-id'],
        new Date(Number(after.headers['webhook-timestamp']) * 1000),
        after.body,
      ),
    );
  });

  it('retries a receiver answering 500 with growing backoff, logs every attempt, and goes dead after 24 h', async () => {
    const tenant = await t.tenant();
    const hook = await subscribe(tenant, '/fail/500');
    await emit(t, tenant.tenantId, [
      { type: 'customer.updated', customerId: CUSTOMER_X, payload: {} },
    ]);
    await pump(t, tenant.tenantId);
    let [delivery] = await deliveries(tenant, hook.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'receiver answered 500',
    });
    const firstRetry = Date.parse(delivery.nextAttemptAt) - clockOf(t).now().getTime();
    expect(firstRetry).toBeGreaterThan(2000);
    expect(firstRetry).toBeLessThanOrEqual(5000);

    expect(await pump(t, tenant.tenantId)).toBe(0); // not due yet
    clockOf(t).advance(6000);
    await pump(t, tenant.tenantId);
    [delivery] = await deliveries(tenant, hook.id);
    expect(delivery.attempts).toBe(2);
    const secondRetry = Date.parse(delivery.nextAttemptAt) - clockOf(t).now().getTime();
    expect(secondRetry).toBeGreaterThan(firstRetry);

    clockOf(t).advance(25 * HOUR);
    await pump(t, tenant.tenantId);
    [delivery] = await deliveries(tenant, hook.id);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 3, nextAttemptAt: null });
    expect(delivery.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([
      500, 500, 500,
    ]);
    expect(receiver.at('/fail/500')).toHaveLength(3);
  });

  it('auto-disables a subscription after repeated failures and announces it with webhook.disabled', async () => {
    const tenant = await t.tenant();
    const hook = await subscribe(tenant, '/fail/disable', { events: ['customer.updated'] });
    await emit(
      t,
      tenant.tenantId,
      [1, 2, 3].map((n) => ({
        type: 'customer.updated',
        customerId: `0193a8f2-0000-7000-8000-00000000010${n}`,
        payload: {},
      })),
    );
    await pump(t, tenant.tenantId);
    const got = await t.http
      .get(`/v1/webhooks/${hook.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(got.body).toMatchObject({
      active: false,
      consecutiveFailures: 3,
      disabledReason: '3 consecutive failed deliveries',
    });
    const feed = await t.http
      .get('/v1/events?types=webhook.disabled')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(feed.body.items).toEqual([
      expect.objectContaining({ type: 'webhook.disabled', subjectId: hook.id }),
    ]);

    // Re-enabling resets the streak; the queued deliveries resume.
    const reenabled = await t.http
      .patch(`/v1/webhooks/${hook.id}`)
      .set('authorization', tenant.auth)
      .send({ active: true })
      .expect(200);
    expect(reenabled.body).toMatchObject({
      active: true,
      consecutiveFailures: 0,
      disabledReason: null,
    });
  });

  it('logs a redirect as a failure without following it, and times out a hanging receiver', async () => {
    const tenant = await t.tenant();
    const redirect = await subscribe(tenant, '/redirect/r', { events: ['customer.created'] });
    const hang = await subscribe(tenant, '/hang/h', { events: ['customer.archived'] });
    await emit(t, tenant.tenantId, [
      { type: 'customer.created', customerId: CUSTOMER_X, payload: {} },
      { type: 'customer.archived', customerId: CUSTOMER_Y, payload: {} },
    ]);
    await pump(t, tenant.tenantId);
    const [r] = await deliveries(tenant, redirect.id);
    expect(r).toMatchObject({
      status: 'pending',
      lastStatusCode: 302,
      lastError: expect.stringContaining('not followed'),
    });
    expect(receiver.at('/ok/redirected')).toHaveLength(0);
    const [h] = await deliveries(tenant, hang.id);
    expect(h).toMatchObject({
      status: 'pending',
      lastStatusCode: null,
      lastError: 'timeout after 1500 ms',
    });
    expect(h.lastLatencyMs).toBeGreaterThanOrEqual(1400);
  });

  it('survives a subscription being deleted while its deliveries are in flight', async () => {
    const tenant = await t.tenant();
    const hook = await subscribe(tenant, '/hang/deleted');
    const keep = await subscribe(tenant, '/ok/kept');
    await emit(t, tenant.tenantId, [
      { type: 'customer.updated', customerId: CUSTOMER_X, payload: {} },
    ]);
    const running = pump(t, tenant.tenantId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.http.delete(`/v1/webhooks/${hook.id}`).set('authorization', tenant.auth).expect(204);
    await expect(running).resolves.toBeGreaterThan(0);
    expect(await t.count('webhook_deliveries', 'tenant_id = $1', [tenant.tenantId])).toBe(1);
    const [kept] = await deliveries(tenant, keep.id);
    expect(kept).toMatchObject({
      status: 'succeeded',
      attemptLog: [expect.objectContaining({ statusCode: 204 })],
    });
  });

  it("never lets one tenant's hanging receiver hold up another tenant's deliveries", async () => {
    const slow = await t.tenant();
    const fast = await t.tenant();
    await subscribe(slow, '/hang/slow');
    await subscribe(fast, '/ok/fast');
    await emit(
      t,
      slow.tenantId,
      Array.from({ length: 20 }, (_, i) => ({
        type: 'customer.updated',
        customerId: `0193a8f2-0000-7000-8000-0000000002${String(i).padStart(2, '0')}`,
        payload: {},
      })),
    );
    await emit(t, fast.tenantId, [
      { type: 'customer.updated', customerId: CUSTOMER_X, payload: {} },
    ]);
    let slowDone = false;
    const slowRun = pump(t, slow.tenantId).then(() => (slowDone = true));
    const started = Date.now();
    await pump(t, fast.tenantId);
    expect(receiver.at('/ok/fast')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(slowDone).toBe(false);
    await slowRun;
    // The slow tenant's first wave timed out; the rest were handed back untried (circuit open), not waited out one by one.
    const log = await t.sql<{ attempted: string }>(
      `SELECT count(*) FILTER (WHERE attempts > 0) AS attempted FROM webhook_deliveries WHERE tenant_id = $1`,
      [slow.tenantId],
    );
    expect(Number(log[0].attempted)).toBeGreaterThan(0);
  });

  it("keeps each customer's events in order: a poison event blocks only its own customer until it is dead", async () => {
    const tenant = await t.tenant();
    const hook = await subscribe(tenant, '/poison/p');
    await emit(t, tenant.tenantId, [
      { type: 'customer.updated', customerId: CUSTOMER_X, payload: { n: 1, poison: true } },
      { type: 'customer.updated', customerId: CUSTOMER_X, payload: { n: 2 } },
      { type: 'customer.updated', customerId: CUSTOMER_Y, payload: { n: 3 } },
    ]);
    await pump(t, tenant.tenantId);
    const seen = () => receiver.at('/poison/p').map((r) => r.json.data.data.n);
    expect(seen()).toEqual(expect.arrayContaining([1, 3]));
    expect(seen()).not.toContain(2); // waits behind customer X's failing event

    clockOf(t).advance(25 * HOUR);
    await pump(t, tenant.tenantId);
    expect(seen().filter((n) => n === 2)).toHaveLength(1);
    const log = await deliveries(tenant, hook.id);
    expect(log.map((d: { status: string }) => d.status).sort()).toEqual([
      'dead',
      'succeeded',
      'succeeded',
    ]);
  });

  it("delivers a customer's events in seq order even with concurrent dispatchers", async () => {
    const tenant = await t.tenant();
    await subscribe(tenant, '/ok/order');
    const customers = [CUSTOMER_X, CUSTOMER_Y];
    for (let i = 0; i < 30; i++) {
      await emit(t, tenant.tenantId, [
        { type: 'customer.updated', customerId: customers[i % 2], payload: { n: i } },
      ]);
    }
    await t.app.get(EventSequencer).sequenceTenant(tenant.tenantId);
    const dispatcher = t.app.get(WebhookDispatcher);
    const drain = async () => {
      while ((await dispatcher.dispatchTenant(tenant.tenantId, 5)) > 0);
    };
    // Deliveries of one customer become due one at a time, so three racing dispatchers take turns.
    for (let round = 0; round < 20 && receiver.at('/ok/order').length < 30; round++)
      await Promise.all([drain(), drain(), drain()]);
    const got = receiver.at('/ok/order');
    expect(got).toHaveLength(30);
    for (const customer of customers) {
      const seqs = got
        .filter((r) => r.json.data.customerId === customer)
        .map((r) => Number(r.json.data.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('redelivers on request with the same webhook-id, and resumes a delivery whose worker died', async () => {
    const tenant = await t.tenant();
    const hook = await subscribe(tenant, '/ok/redeliver');
    await emit(t, tenant.tenantId, [
      { type: 'identity.added', customerId: CUSTOMER_X, payload: { type: 'email' } },
    ]);
    await pump(t, tenant.tenantId);
    const [first] = await deliveries(tenant, hook.id);
    const again = await t.http
      .post(`/v1/webhooks/deliveries/${first.id}/redeliver`)
      .set('authorization', tenant.auth)
      .expect(202);
    expect(again.body).toMatchObject({
      status: 'pending',
      redeliveryOf: first.id,
      eventId: first.eventId,
    });
    await pump(t, tenant.tenantId);
    const got = receiver.at('/ok/redeliver');
    expect(got).toHaveLength(2);
    expect(got[1].headers['webhook-id']).toBe(got[0].headers['webhook-id']);
    await t.http
      .post('/v1/webhooks/deliveries/0193a8f2-0000-7000-8000-000000000999/redeliver')
      .set('authorization', tenant.auth)
      .expect(404);

    // A worker that claimed a delivery and died: its lease runs out and another delivers it.
    await emit(t, tenant.tenantId, [
      { type: 'identity.added', customerId: CUSTOMER_Y, payload: { type: 'phone' } },
    ]);
    await t.app.get(EventSequencer).sequenceTenant(tenant.tenantId);
    await t.sql(
      `UPDATE webhook_deliveries SET status = 'delivering', locked_until = now() + interval '10 minutes' WHERE tenant_id = $1 AND status = 'pending'`,
      [tenant.tenantId],
    );
    expect(await pump(t, tenant.tenantId)).toBe(0);
    clockOf(t).advance(11 * 60 * 1000);
    expect(await pump(t, tenant.tenantId)).toBe(1);
    expect(receiver.at('/ok/redeliver')).toHaveLength(3);
  });
});
