import { ConsentService } from '../src/consent/consent.service';
import { CustomerExtensions } from '../src/customers/customer-extensions';
import { EventConsentPolicy } from '../src/events/event-consent';
import { MARKETING_EVENT_TYPES } from '../src/events/event-catalog';
import { insertCustomer } from './support/customer-rows';
import { TestApp, TenantClient } from './support/test-app';

const evidence = {
  method: 'checkbox_in_app',
  noticeVersion: 'privacy-2026-10',
  capturedBy: 'store-1/pos-2',
  ip: '203.0.113.7',
};
const grant = (purpose: string, channel?: string, extra: Record<string, unknown> = {}) => ({
  purpose,
  ...(channel ? { channel } : {}),
  status: 'granted',
  source: 'eshop-signup',
  evidence,
  ...extra,
});

describe('consent: events, state, PIPL rules and enforcement', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const counts = async () => ({
    events: await t.count('consent_events', 'tenant_id = $1', [tenant.tenantId]),
    state: await t.count('consent_state', 'tenant_id = $1', [tenant.tenantId]),
    outbox: await t.count('events', "tenant_id = $1 AND type = 'consent.changed'", [
      tenant.tenantId,
    ]),
  });

  it('grants and withdraws marketing per channel; the state changes at once and consent.changed is emitted', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    const before = await counts();
    const granted = await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send(grant('marketing', 'sms'))
      .expect(201);
    expect(granted.body).toMatchObject({
      customerId: id,
      purpose: 'marketing',
      channel: 'sms',
      status: 'granted',
      evidence,
      guardian: null,
    });
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send(grant('analytics'))
      .expect(201);

    let view = await t.http
      .get(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(view.body.current).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          purpose: 'marketing',
          channel: 'sms',
          status: 'granted',
          effective: true,
        }),
        expect.objectContaining({
          purpose: 'analytics',
          channel: null,
          status: 'granted',
          effective: true,
        }),
      ]),
    );

    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send({
        purpose: 'marketing',
        channel: 'sms',
        status: 'withdrawn',
        source: 'sms-stop',
        evidence: { method: 'sms_reply', noticeVersion: 'privacy-2026-10' },
      })
      .expect(201);
    view = await t.http
      .get(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(
      view.body.current.find((s: { purpose: string }) => s.purpose === 'marketing'),
    ).toMatchObject({ status: 'withdrawn', effective: false });
    expect(view.body.history.map((e: { status: string }) => e.status)).toEqual([
      'withdrawn',
      'granted',
      'granted',
    ]);
    expect(await counts()).toEqual({
      events: before.events + 3,
      state: before.state + 2,
      outbox: before.outbox + 3,
    });

    const outbox = await t.sql<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM events WHERE tenant_id = $1 AND customer_id = $2 AND type = 'consent.changed' ORDER BY created_at DESC LIMIT 1`,
      [tenant.tenantId, id],
    );
    expect(outbox[0].payload).toMatchObject({
      purpose: 'marketing',
      channel: 'sms',
      status: 'withdrawn',
    });
  });

  it('keeps a newer state when a back-dated event arrives, but records it in the history', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send(grant('marketing', 'email'))
      .expect(201);
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send({
        ...grant('marketing', 'email'),
        status: 'withdrawn',
        occurredAt: '2025-01-01T00:00:00Z',
      })
      .expect(201);
    const view = await t.http
      .get(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(view.body.current[0]).toMatchObject({ channel: 'email', status: 'granted' });
    expect(view.body.history).toHaveLength(2);
  });

  it('refuses bad input with per-field errors and writes nothing', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    const before = await counts();
    const cases: [Record<string, unknown>, string][] = [
      [grant('spam', 'sms'), 'purpose'],
      [grant('marketing', 'fax'), 'channel'],
      [grant('marketing'), 'channel'],
      [grant('analytics', 'sms'), 'channel'],
      [{ ...grant('marketing', 'sms'), status: 'maybe' }, 'status'],
      [{ ...grant('marketing', 'sms'), evidence: { method: 'x' } }, 'evidence.noticeVersion'],
      [{ ...grant('marketing', 'sms'), occurredAt: '2999-01-01T00:00:00Z' }, 'occurredAt'],
      [{ ...grant('marketing', 'sms'), extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const response = await t.http
        .post(`/v1/customers/${id}/consents`)
        .set('authorization', tenant.auth)
        .send(body)
        .expect(422);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await counts()).toEqual(before);
  });

  it('answers 404 for a non-existent, foreign or erased customer and writes nothing', async () => {
    const other = await t.tenant();
    const foreign = await insertCustomer(t, other.tenantId);
    const erased = await insertCustomer(t, tenant.tenantId, { status: 'erased' });
    const before = await counts();
    for (const id of ['0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a99', 'not-a-uuid', foreign, erased]) {
      const response = await t.http
        .post(`/v1/customers/${id}/consents`)
        .set('authorization', tenant.auth)
        .send(grant('marketing', 'sms'))
        .expect(404);
      expect(response.body.code).toBe('not_found');
    }
    await t.http
      .get(`/v1/customers/${erased}/consents`)
      .set('authorization', tenant.auth)
      .expect(404);
    expect(await counts()).toEqual(before);
  });

  it('needs a guardian for a child under 14 to grant marketing or profiling, but not to withdraw', async () => {
    const child = await insertCustomer(t, tenant.tenantId, {
      birthYear: new Date().getFullYear() - 10,
    });
    const before = await counts();
    const refused = await t.http
      .post(`/v1/customers/${child}/consents`)
      .set('authorization', tenant.auth)
      .send(grant('marketing', 'sms'))
      .expect(422);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ field: 'guardian', code: 'guardian_required' }),
    ]);
    await t.http
      .post(`/v1/customers/${child}/consents`)
      .set('authorization', tenant.auth)
      .send(grant('profiling'))
      .expect(422);
    expect(await counts()).toEqual(before);

    await t.http
      .post(`/v1/customers/${child}/consents`)
      .set('authorization', tenant.auth)
      .send(grant('marketing', 'sms', { guardian: { name: '王芳', relation: 'mother' } }))
      .expect(201);
    await t.http
      .post(`/v1/customers/${child}/consents`)
      .set('authorization', tenant.auth)
      .send({ ...grant('marketing', 'sms'), status: 'withdrawn' })
      .expect(201);
    const view = await t.http
      .get(`/v1/customers/${child}/consents`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(view.body.minor).toBe(true);
    expect(view.body.history[1].guardian).toEqual({ name: '王芳', relation: 'mother' });
  });

  it('exports by channel only customers whose consent counts (marketingAllowedSql)', async () => {
    const consent = t.app.get(ConsentService);
    const post = (id: string, body: Record<string, unknown>) =>
      t.http
        .post(`/v1/customers/${id}/consents`)
        .set('authorization', tenant.auth)
        .send(body)
        .expect(201);
    const adult = await insertCustomer(t, tenant.tenantId);
    await post(adult, grant('marketing', 'sms'));
    const emailOnly = await insertCustomer(t, tenant.tenantId);
    await post(emailOnly, grant('marketing', 'email'));
    const withdrawn = await insertCustomer(t, tenant.tenantId);
    await post(withdrawn, grant('marketing', 'sms'));
    await post(withdrawn, { ...grant('marketing', 'sms'), status: 'withdrawn' });
    const childWithGuardian = await insertCustomer(t, tenant.tenantId, {
      birthYear: new Date().getFullYear() - 9,
    });
    await post(
      childWithGuardian,
      grant('marketing', 'sms', { guardian: { name: '李雷', relation: 'father' } }),
    );
    // Granted as an adult, then the birthday was corrected: the grant no longer counts.
    const becameChild = await insertCustomer(t, tenant.tenantId);
    await post(becameChild, grant('marketing', 'sms'));
    await t.sql(`UPDATE customers SET birth_year = $2 WHERE id = $1`, [
      becameChild,
      new Date().getFullYear() - 8,
    ]);
    const restricted = await insertCustomer(t, tenant.tenantId);
    await post(restricted, grant('marketing', 'sms'));
    await t.sql(
      `INSERT INTO privacy_restrictions (tenant_id, customer_id, request_id) VALUES ($1, $2, $2)`,
      [tenant.tenantId, restricted],
    );
    const archived = await insertCustomer(t, tenant.tenantId);
    await post(archived, grant('marketing', 'sms'));
    await t.sql(`UPDATE customers SET status = 'archived' WHERE id = $1`, [archived]);

    const ids = [adult, emailOnly, withdrawn, childWithGuardian, becameChild, restricted, archived];
    const allowed = await t.database.withTenant(tenant.tenantId, (tx) =>
      tx.query<{ id: string }>(
        `SELECT c.id FROM customers c WHERE c.id = ANY($1::uuid[]) AND ${consent.marketingAllowedSql('c', '$2')} ORDER BY c.id`,
        [ids, 'sms'],
      ),
    );
    expect(allowed.map((r) => r.id).sort()).toEqual([adult, childWithGuardian].sort());
    const perCustomer = await t.database.withTenant(tenant.tenantId, async (tx) =>
      Promise.all(ids.map((id) => consent.isAllowed(tx, id, 'marketing', 'sms'))),
    );
    expect(perCustomer).toEqual([true, false, false, true, false, false, false]);
    expect(() => consent.marketingAllowedSql('c; drop', '$1')).toThrow();
    expect(() => consent.marketingAllowedSql('c', "'sms' OR true")).toThrow();
  });

  it('lets marketing events about a customer leave only with marketing consent (EventConsentPolicy checker)', async () => {
    const policy = t.app.get(EventConsentPolicy);
    const type = [...MARKETING_EVENT_TYPES][0];
    const consenting = await insertCustomer(t, tenant.tenantId);
    const silent = await insertCustomer(t, tenant.tenantId);
    await t.http
      .post(`/v1/customers/${consenting}/consents`)
      .set('authorization', tenant.auth)
      .send(grant('marketing', 'wechat'))
      .expect(201);
    const ask = (customerId: string | null, payload: Record<string, unknown> = {}) =>
      policy.allows({
        tenantId: tenant.tenantId,
        eventId: 'e',
        type,
        customerId,
        payload,
        subscriber: { kind: 'webhook', id: 'w' },
      });
    expect(await ask(consenting)).toBe(true);
    expect(await ask(consenting, { channel: 'wechat' })).toBe(true);
    expect(await ask(consenting, { channel: 'sms' })).toBe(false);
    expect(await ask(silent)).toBe(false);
    expect(await ask(null)).toBe(true);
  });

  it('refuses sensitive attributes until sensitive_data consent is granted (assertSensitiveAllowed)', async () => {
    const consent = t.app.get(ConsentService);
    const id = await insertCustomer(t, tenant.tenantId);
    const attempt = () =>
      t.database.withTenant(tenant.tenantId, (tx) => consent.assertSensitiveAllowed(tx, id));
    await expect(attempt()).rejects.toMatchObject({
      code: 'validation_failed',
      options: { errors: [expect.objectContaining({ code: 'sensitive_consent_required' })] },
    });
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send(grant('sensitive_data'))
      .expect(201);
    await expect(attempt()).resolves.toBeUndefined();
    expect(consent.isSensitiveAttribute('id_number')).toBe(true);
    expect(consent.isSensitiveAttribute('style')).toBe(false);
  });

  it('merges most-restrictive-wins per purpose × channel and contributes the consents view', async () => {
    const extensions = t.app.get(CustomerExtensions);
    const survivor = await insertCustomer(t, tenant.tenantId);
    const source = await insertCustomer(t, tenant.tenantId);
    const post = (id: string, body: Record<string, unknown>) =>
      t.http
        .post(`/v1/customers/${id}/consents`)
        .set('authorization', tenant.auth)
        .send(body)
        .expect(201);
    await post(survivor, grant('marketing', 'sms'));
    await post(source, { ...grant('marketing', 'sms'), status: 'withdrawn' });
    await post(source, grant('marketing', 'email'));
    await post(survivor, { ...grant('analytics'), status: 'withdrawn' });
    await post(source, grant('analytics'));

    await t.database.withTenant(tenant.tenantId, (tx) =>
      extensions.runMergeHandlers(tx, survivor, [source]),
    );
    expect(await t.count('consent_events', 'customer_id = $1', [source])).toBe(0);
    expect(await t.count('consent_state', 'customer_id = $1', [source])).toBe(0);
    expect(await t.count('consent_events', 'customer_id = $1', [survivor])).toBe(5);

    const views = await t.database.withTenant(tenant.tenantId, (tx) =>
      extensions.loadViews(tx, [survivor]),
    );
    expect(views.get(survivor)!.consents).toEqual({
      restricted: false,
      marketing: { sms: false, email: true },
      analytics: false,
    });
  });

  it('serves the same use cases over GraphQL', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    const recorded = await t.graphql(
      tenant.auth,
      `mutation($id: ID!, $input: RecordConsentInput!) { recordConsent(customerId: $id, input: $input) { id purpose channel status } }`,
      { id, input: grant('marketing', 'wechat') },
    );
    expect(recorded.body.data.recordConsent).toMatchObject({
      purpose: 'marketing',
      channel: 'wechat',
      status: 'granted',
    });
    const read = await t.graphql(
      tenant.auth,
      `query($id: ID!) { customerConsents(customerId: $id) { minor current { purpose channel effective } } }`,
      { id },
    );
    expect(read.body.data.customerConsents).toEqual({
      minor: false,
      current: [{ purpose: 'marketing', channel: 'wechat', effective: true }],
    });
  });

  it('needs consent:write to record and consent:read to read', async () => {
    const reader = await t.client(tenant, ['consent:read']);
    const id = await insertCustomer(t, tenant.tenantId);
    const before = await counts();
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', reader.auth)
      .send(grant('marketing', 'sms'))
      .expect(403);
    await t.http.get(`/v1/customers/${id}/consents`).set('authorization', reader.auth).expect(200);
    const none = await t.client(tenant, ['customers:read']);
    await t.http.get(`/v1/customers/${id}/consents`).set('authorization', none.auth).expect(403);
    expect(await counts()).toEqual(before);
  });
});
