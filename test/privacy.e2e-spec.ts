import { AuditService } from '../src/privacy/audit/audit.service';
import { RetentionJob } from '../src/privacy/retention.job';
import { JobRegistry } from '../src/events/job-registry';
import { insertCustomer } from './support/customer-rows';
import { TestApp, TenantClient } from './support/test-app';

const evidence = {
  method: 'checkbox_in_app',
  noticeVersion: 'privacy-2026-10',
  ip: '198.51.100.23',
};

describe('privacy requests: access/export, erasure, restriction, correction, retention', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  /** A customer created through the API with consents, an interaction, a follow-up and feedback. */
  async function richCustomer(): Promise<string> {
    const created = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({
        name: '李小龙',
        phone: `138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
        email: `lee-${Math.random().toString(36).slice(2, 8)}@example.com`,
        birthday: '1985-07-20',
        address: { province: '广东', city: '深圳', line: '南山区科技园 8 号' },
        tags: ['vip'],
        attributes: {},
        identities: [
          {
            type: 'wechat_openid',
            namespace: 'wx-main',
            value: `o-${Math.random().toString(36).slice(2)}`,
          },
        ],
      })
      .expect(201);
    const id = created.body.id as string;
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send({ purpose: 'marketing', channel: 'sms', status: 'granted', source: 'pos', evidence })
      .expect(201);
    await t.http
      .post(`/v1/customers/${id}/interactions`)
      .set('authorization', tenant.auth)
      .send({
        type: 'call',
        summary: '李先生说他住在南山，想要 XL 码外套',
        occurredAt: new Date().toISOString(),
      })
      .expect(201);
    await t.http
      .post('/v1/feedback')
      .set('authorization', tenant.auth)
      .send({
        customerId: id,
        type: 'complaint',
        channel: 'store',
        subject: '李小龙投诉',
        body: '我的电话 13800138000 被泄露',
        storeId: 'S1',
        severity: 'high',
      })
      .expect(201);
    return id;
  }

  it('exports everything about a customer as a downloadable bundle, with a deadline from the tenant setting', async () => {
    await t.sql(
      `UPDATE tenants SET settings = '{"privacy": {"requestDeadlineDays": 30}}' WHERE id = $1`,
      [tenant.tenantId],
    );
    const id = await richCustomer();
    await t.http.get(`/v1/customers/${id}`).set('authorization', tenant.auth).expect(200);
    await t.app.get(AuditService).flush();

    const created = await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({ customerId: id, type: 'export' })
      .expect(201);
    expect(created.body).toMatchObject({
      customerId: id,
      type: 'export',
      status: 'completed',
      resultUrl: `/v1/privacy/requests/${created.body.id}/result`,
    });
    const days =
      (Date.parse(created.body.deadlineAt) - Date.parse(created.body.createdAt)) / 86_400_000;
    expect(Math.round(days)).toBe(30);

    const bundle = (
      await t.http.get(created.body.resultUrl).set('authorization', tenant.auth).expect(200)
    ).body;
    expect(bundle.format).toBe('kehu.privacy-export/1');
    expect(bundle.profile).toMatchObject({
      id,
      name: '李小龙',
      address: '南山区科技园 8 号',
      birthday: expect.stringContaining('1985'),
    });
    expect(bundle.profile.phone).toMatch(/^\+86138/);
    expect(bundle.profile).not.toHaveProperty('phone_bidx');
    expect(bundle.identities.map((i: { type: string }) => i.type)).toEqual(
      expect.arrayContaining(['phone', 'email', 'wechat_openid']),
    );
    expect(bundle.consents.history[0]).toMatchObject({
      purpose: 'marketing',
      channel: 'sms',
      evidence: expect.objectContaining({ ip: '198.51.100.23' }),
    });
    expect(bundle.related.customer_interactions[0].summary).toContain('南山');
    expect(bundle.related.feedback[0].body).toContain('13800138000');
    expect(
      bundle.accessLog.some((e: { resource: string }) => e.resource === 'GET /v1/customers/:id'),
    ).toBe(true);
    expect(bundle.includes).toEqual(
      expect.arrayContaining([
        'profile',
        'identities',
        'consentEvents',
        'accessLog',
        'feedback',
        'customer_interactions',
      ]),
    );

    const fetched = await t.http
      .get(`/v1/privacy/requests/${created.body.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(fetched.body.summary.sections.feedback).toBe(1);
    // The stored bundle is encrypted at rest.
    const stored = await t.sql<{ result_enc: string }>(
      `SELECT result_enc FROM privacy_requests WHERE id = $1`,
      [created.body.id],
    );
    expect(stored[0].result_enc).toMatch(/^k1:/);
    expect(stored[0].result_enc).not.toContain('李');
  });

  it('erases in one transaction: tombstone without PII, identities gone, free text scrubbed, excluded from everything', async () => {
    const id = await richCustomer();
    const exported = await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({ customerId: id, type: 'export' })
      .expect(201);
    const admin = await t.staff(tenant, 'admin');
    const erased = await t.http
      .post('/v1/privacy/requests')
      .set('authorization', admin.auth)
      .send({ customerId: id, type: 'erasure', note: 'customer email' })
      .expect(201);
    expect(erased.body).toMatchObject({ type: 'erasure', status: 'completed' });
    expect(erased.body.summary.profileColumnsCleared).toEqual(
      expect.arrayContaining([
        'name',
        'phone_enc',
        'email_enc',
        'address_enc',
        'birthday_enc',
        'birth_year',
        'member_no',
      ]),
    );

    const [row] = await t.sql<Record<string, unknown>>(`SELECT * FROM customers WHERE id = $1`, [
      id,
    ]);
    expect(row.status).toBe('erased');
    for (const column of [
      'name',
      'name_pinyin',
      'phone_enc',
      'phone_bidx',
      'email_enc',
      'email_bidx',
      'address_enc',
      'birthday_enc',
      'birth_year',
      'province',
      'city',
    ]) {
      expect([column, row[column]]).toEqual([column, null]);
    }
    expect(row.member_no).toMatch(/^ERASED-/);
    expect(row.tags).toEqual([]);
    expect(row.attributes).toEqual({});
    expect(await t.count('customer_identities', 'customer_id = $1', [id])).toBe(0);
    const [interaction] = await t.sql<{ summary: string }>(
      `SELECT summary FROM customer_interactions WHERE customer_id = $1`,
      [id],
    );
    expect(interaction.summary).toBe('[erased]');
    const [feedback] = await t.sql<{ subject: string; body: string }>(
      `SELECT subject, body FROM feedback WHERE customer_id = $1`,
      [id],
    );
    expect(feedback).toEqual({ subject: '[erased]', body: '[erased]' });
    const [consent] = await t.sql<{ evidence: Record<string, unknown> }>(
      `SELECT evidence FROM consent_events WHERE customer_id = $1`,
      [id],
    );
    expect(consent.evidence).not.toHaveProperty('ip');
    const [bundle] = await t.sql<{ result_enc: string | null }>(
      `SELECT result_enc FROM privacy_requests WHERE id = $1`,
      [exported.body.id],
    );
    expect(bundle.result_enc).toBeNull();
    // No readable trace of the person anywhere in the events' payloads.
    const payloads = await t.sql<{ payload: unknown }>(
      `SELECT payload FROM events WHERE customer_id = $1 AND type <> 'customer.erased'`,
      [id],
    );
    expect(JSON.stringify(payloads)).not.toMatch(/李|example\.com|\+86/);
    expect(await t.count('events', `customer_id = $1 AND type = 'customer.erased'`, [id])).toBe(1);

    // Excluded from everything: profile, consent, further requests, the export download.
    // The customers module still answers the tombstone (status erased); it carries no PII.
    const tombstone = await t.http.get(`/v1/customers/${id}`).set('authorization', tenant.auth);
    if (tombstone.status === 200) {
      expect(tombstone.body).toMatchObject({
        status: 'erased',
        name: null,
        phone: null,
        email: null,
      });
      expect(JSON.stringify(tombstone.body)).not.toMatch(/李|南山|example\.com|\+86/);
    } else {
      expect([404, 410]).toContain(tombstone.status);
    }
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send({ purpose: 'analytics', status: 'granted', source: 'x', evidence })
      .expect(404);
    await t.http
      .post('/v1/privacy/requests')
      .set('authorization', admin.auth)
      .send({ customerId: id, type: 'erasure' })
      .expect(404);
    await t.http
      .get(`/v1/privacy/requests/${exported.body.id}/result`)
      .set('authorization', tenant.auth)
      .expect(404);
  });

  it('refuses erasure without admin role or privacy:admin and changes nothing', async () => {
    const id = await richCustomer();
    const manager = await t.staff(tenant, 'manager');
    const client = await t.client(tenant, ['customers:read', 'customers:write', 'pii:read']);
    const before = {
      requests: await t.count('privacy_requests', 'tenant_id = $1', [tenant.tenantId]),
      identities: await t.count('customer_identities', 'customer_id = $1', [id]),
      events: await t.count('events', 'tenant_id = $1', [tenant.tenantId]),
    };
    for (const who of [manager, client]) {
      const refused = await t.http
        .post('/v1/privacy/requests')
        .set('authorization', who.auth)
        .send({ customerId: id, type: 'erasure' })
        .expect(403);
      expect(refused.body.code).toBe('forbidden');
    }
    const [row] = await t.sql<{ status: string; name: string }>(
      `SELECT status, name FROM customers WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ status: 'active', name: '李小龙' });
    expect({
      requests: await t.count('privacy_requests', 'tenant_id = $1', [tenant.tenantId]),
      identities: await t.count('customer_identities', 'customer_id = $1', [id]),
      events: await t.count('events', 'tenant_id = $1', [tenant.tenantId]),
    }).toEqual(before);
    // A client with privacy:admin may.
    const dpo = await t.client(tenant, ['customers:read', 'privacy:admin']);
    await t.http
      .post('/v1/privacy/requests')
      .set('authorization', dpo.auth)
      .send({ customerId: id, type: 'erasure' })
      .expect(201);
  });

  it('validates requests: unknown type, missing customer, patch outside correction; nothing written', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    const before = await t.count('privacy_requests', 'tenant_id = $1', [tenant.tenantId]);
    const bad = await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({ customerId: 'x', type: 'forget' })
      .expect(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'customerId',
      'type',
    ]);
    await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({ customerId: id, type: 'export', patch: { name: 'x' } })
      .expect(422);
    await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({ customerId: id, type: 'correction' })
      .expect(422);
    await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({ customerId: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a99', type: 'export' })
      .expect(404);
    await t.http
      .get('/v1/privacy/requests/0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a99')
      .set('authorization', tenant.auth)
      .expect(404);
    expect(await t.count('privacy_requests', 'tenant_id = $1', [tenant.tenantId])).toBe(before);
  });

  it('restriction stops marketing until lifted', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .send({ purpose: 'marketing', channel: 'sms', status: 'granted', source: 'pos', evidence })
      .expect(201);
    const restricted = await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({ customerId: id, type: 'restriction' })
      .expect(201);
    expect(restricted.body.summary).toEqual({ restricted: true, changed: true });
    let consents = await t.http
      .get(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(consents.body).toMatchObject({
      restricted: true,
      current: [expect.objectContaining({ status: 'granted', effective: false })],
    });
    await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({ customerId: id, type: 'restriction', lift: true })
      .expect(201);
    consents = await t.http
      .get(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(consents.body).toMatchObject({
      restricted: false,
      current: [expect.objectContaining({ effective: true })],
    });
  });

  it('correction applies its patch through the customers update in the request transaction, audited with the fields touched', async () => {
    const created = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({
        name: '张三',
        email: 'zhang.old@example.com',
        clothingSize: 'M',
        address: { province: '上海', city: '上海' },
      })
      .expect(201);
    const id = created.body.id;
    const correction = await t.http
      .post('/v1/privacy/requests')
      .set('authorization', tenant.auth)
      .send({
        customerId: id,
        type: 'correction',
        note: 'Customer called: name and e-mail were wrong',
        patch: {
          name: '张三丰',
          email: 'Zhang.New@example.com',
          address: { city: '深圳' },
          clothingSize: null,
        },
      })
      .expect(201);
    const fields = ['name', 'email', 'address.city', 'clothingSize'];
    expect(correction.body).toMatchObject({
      type: 'correction',
      status: 'completed',
      completedAt: expect.any(String),
      deadlineAt: expect.any(String),
      resultUrl: null,
      summary: { fields, customerId: id },
    });
    const read = await t.http
      .get(`/v1/customers/${id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(read.body).toMatchObject({
      name: '张三丰',
      email: 'zhang.new@example.com',
      clothingSize: null,
      address: expect.objectContaining({ province: '上海', city: '深圳' }),
      version: created.body.version + 1,
    });
    // The identity row followed the e-mail, as a PATCH would have done.
    await t.http
      .get('/v1/customers/lookup?email=zhang.old@example.com')
      .set('authorization', tenant.auth)
      .expect(404);
    await t.http
      .get('/v1/customers/lookup?email=zhang.new@example.com')
      .set('authorization', tenant.auth)
      .expect(200);
    const stored = await t.sql<{ patch_enc: string; status: string }>(
      'SELECT patch_enc, status FROM privacy_requests WHERE id = $1',
      [correction.body.id],
    );
    expect(stored[0].status).toBe('completed');
    expect(stored[0].patch_enc).not.toContain('张三丰');

    await t.app.get(AuditService).flush();
    const trail = await t.http
      .get('/v1/audit')
      .query({ customerId: id, action: 'privacy.correction' })
      .set('authorization', tenant.auth)
      .expect(200);
    expect(trail.body.items[0]).toMatchObject({
      fields,
      details: expect.objectContaining({ requestId: correction.body.id, status: 'completed' }),
    });
  });

  it('an invalid correction patch is 422 per field under patch.…, a held e-mail 409: no request, no change', async () => {
    const holder = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ name: 'Holder', email: 'held.by.other@example.com' })
      .expect(201);
    const created = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ name: '王五', phone: '13800139999' })
      .expect(201);
    const id = created.body.id;
    const state = async () => ({
      requests: await t.count('privacy_requests', 'tenant_id = $1', [tenant.tenantId]),
      customer: await t.sql(
        'SELECT version, name, phone_bidx, email_bidx FROM customers WHERE id = $1',
        [id],
      ),
      identities: await t.count('customer_identities', 'tenant_id = $1', [tenant.tenantId]),
      merges: await t.count('customer_merges', 'tenant_id = $1', [tenant.tenantId]),
    });
    const before = await state();
    const request = (patch: Record<string, unknown>) =>
      t.http
        .post('/v1/privacy/requests')
        .set('authorization', tenant.auth)
        .send({ customerId: id, type: 'correction', patch });

    const shape = await request({ name: 42, shoeSize: 'x'.repeat(50), nickname: 'no' }).expect(422);
    const fieldsOf = (body: { errors: { field: string }[] }) =>
      [...new Set(body.errors.map((e) => e.field))].sort();
    expect(fieldsOf(shape.body)).toEqual(['patch.name', 'patch.nickname', 'patch.shoeSize']);
    const value = await request({ name: 'Fine', phone: '12345', birthday: '1990-13-40' }).expect(
      422,
    );
    expect(fieldsOf(value.body)).toEqual(['patch.birthday', 'patch.phone']);
    const held = await request({ email: 'held.by.other@example.com' }).expect(409);
    expect(held.body).toMatchObject({
      code: 'identity_conflict',
      holder: { id: holder.body.id },
    });
    expect(await state()).toEqual(before);
  });

  it('retention anonymises customers inactive for the configured years, and only those', async () => {
    const other = await t.tenant();
    const old = await insertCustomer(t, other.tenantId, {
      updatedAt: new Date(Date.now() - 4 * 365 * 86_400_000),
    });
    const recent = await insertCustomer(t, other.tenantId);
    const job = t.app.get(JobRegistry).get('privacy.retention')!;
    expect(job).toBeDefined();
    await job.run({ tenantId: other.tenantId, day: '2026-11-23', now: new Date() });
    expect(await t.count('customers', `id = $1 AND status = 'erased'`, [old])).toBe(0); // no setting, no retention
    await t.sql(
      `UPDATE tenants SET settings = '{"privacy": {"retentionYears": 3}}' WHERE id = $1`,
      [other.tenantId],
    );
    expect(await t.app.get(RetentionJob).run(other.tenantId, new Date())).toBe(1);
    const rows = await t.sql<{ id: string; status: string; name: string | null }>(
      `SELECT id, status, name FROM customers WHERE id = ANY($1::uuid[])`,
      [[old, recent]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.status, r.name]]))).toEqual({
      [old]: ['erased', null],
      [recent]: ['active', '张三'],
    });
  });
});
