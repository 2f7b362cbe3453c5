import { isValidMemberNo } from '../../src/customers/customer-normalisation';
import { TestApp, TenantClient } from '../support/test-app';

describe('customers: register, read, look up', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let masked: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    masked = await t.client(tenant, ['customers:read', 'customers:write']);
  });
  afterAll(() => t.close());

  const customers = () => t.count('customers', 'tenant_id = $1', [tenant.tenantId]);
  const identities = () => t.count('customer_identities', 'tenant_id = $1', [tenant.tenantId]);
  const events = (type: string) =>
    t.count('events', 'tenant_id = $1 AND type = $2', [tenant.tenantId, type]);

  it('registers a customer with a normalised phone, a generated member number and encrypted personal data', async () => {
    const response = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({
        name: '张三',
        phone: '138 0013 8000',
        email: 'Zhang.San@Example.COM',
        birthday: '1990-05-17',
        gender: 'male',
        tags: ['vip'],
      })
      .expect(201);
    const body = response.body;
    expect(response.headers.location).toBe(`/v1/customers/${body.id}`);
    expect(response.headers.etag).toBe(`"${body.id}.1"`);
    expect(body).toMatchObject({
      name: '张三',
      phone: '+8613800138000',
      email: 'zhang.san@example.com',
      birthday: '1990-05-17',
      status: 'active',
      points: 0,
      tier: null,
      piiMasked: false,
    });
    expect(isValidMemberNo(body.memberNo, 'M')).toBe(true);
    expect(body.completeness).toBeGreaterThan(0);

    const [row] = await t.sql<Record<string, unknown>>('SELECT * FROM customers WHERE id = $1', [
      body.id,
    ]);
    expect(String(row.phone_enc)).not.toContain('13800138000');
    expect(String(row.email_enc)).not.toContain('example');
    expect(row).toMatchObject({
      name_pinyin: 'zhangsan',
      name_initials: 'zs',
      birth_month: 5,
      birth_day: 17,
      birth_year: 1990,
    });
    expect(await t.count('customer_identities', 'customer_id = $1', [body.id])).toBe(3); // phone, email, member_no
    expect(
      await t.count('events', 'customer_id = $1 AND type = $2', [body.id, 'customer.created']),
    ).toBe(1);
  });

  it('masks personal data for callers without pii:read', async () => {
    const created = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({
        name: 'Mask',
        phone: '13800138001',
        email: 'zoe@example.com',
        birthday: '1988-02-03',
        address: { city: '上海市', line: '南京西路 1 号' },
      })
      .expect(201);
    const read = await t.http
      .get(`/v1/customers/${created.body.id}`)
      .set('authorization', masked.auth)
      .expect(200);
    expect(read.body).toMatchObject({
      phone: '138****8001',
      email: 'z***@example.com',
      birthday: '--02-03',
      birthYear: 1988,
      piiMasked: true,
    });
    expect(read.body.address).toMatchObject({ city: '上海市', line: '***' });
    expect(read.headers.etag).toBe(`"${created.body.id}.1"`);
  });

  it('finds the same person however the phone was typed, and by e-mail, member number and identity', async () => {
    const created = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({
        name: 'Li Si',
        phone: '+86 139 0013 9000',
        email: 'li.si@example.com',
        identities: [
          { type: 'external', value: 'shopify:123' },
          { type: 'wechat_openid', namespace: 'wxapp', value: 'oABC' },
        ],
      })
      .expect(201);
    const id = created.body.id;
    for (const phone of ['13900139000', '+86 13900139000', '8613900139000', '139 0013 9000']) {
      const found = await t.http
        .get('/v1/customers/lookup')
        .query({ phone })
        .set('authorization', tenant.auth)
        .expect(200);
      expect(found.body.id).toBe(id);
    }
    expect(
      (
        await t.http
          .get('/v1/customers/lookup')
          .query({ email: 'LI.SI@example.com' })
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.id,
    ).toBe(id);
    expect(
      (
        await t.http
          .get('/v1/customers/lookup')
          .query({ memberNo: created.body.memberNo.toLowerCase() })
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.id,
    ).toBe(id);
    expect(
      (
        await t.http
          .get('/v1/customers/lookup')
          .query({ identity: 'external:shopify:123' })
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.id,
    ).toBe(id);
    expect(
      (
        await t.http
          .get('/v1/customers/lookup')
          .query({ identity: 'wechat_openid:wxapp:oABC' })
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.id,
    ).toBe(id);
    await t.http
      .get('/v1/customers/lookup')
      .query({ identity: 'wechat_openid:otherapp:oABC' })
      .set('authorization', tenant.auth)
      .expect(404);
    await t.http
      .get('/v1/customers/lookup')
      .query({ phone: '13700137000' })
      .set('authorization', tenant.auth)
      .expect(404);
    // The POS form is one indexed read; include=views adds the blocks other features contribute.
    const pos = await t.http
      .get('/v1/customers/lookup')
      .query({ phone: '13900139000' })
      .set('authorization', tenant.auth)
      .expect(200);
    const full = await t.http
      .get('/v1/customers/lookup')
      .query({ phone: '13900139000', include: 'views' })
      .set('authorization', tenant.auth)
      .expect(200);
    const read = await t.http
      .get(`/v1/customers/${id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(Object.keys(full.body).sort()).toEqual(Object.keys(read.body).sort());
    expect(Object.keys(pos.body).length).toBeLessThanOrEqual(Object.keys(full.body).length);
    expect(pos.body).toMatchObject({ id, tier: null, points: 0 });
    const none = await t.http
      .get('/v1/customers/lookup')
      .set('authorization', tenant.auth)
      .expect(422);
    expect(none.body.code).toBe('validation_failed');
  });

  it('refuses bad input with the field named and writes nothing', async () => {
    const before = [await customers(), await identities(), await events('customer.created')];
    const cases: [Record<string, unknown>, string, string][] = [
      [{ phone: '12345' }, 'phone', 'invalid_phone'],
      [{ email: 'not-an-email' }, 'email', 'invalid_email'],
      [{ name: 'x'.repeat(101) }, 'name', 'too_long'],
      [{ birthday: '1990-02-30' }, 'birthday', 'invalid_date'],
      [{ nickname: 'zz' }, 'nickname', 'unknown_field'],
      [
        { identities: [{ type: 'external', value: 'no-namespace' }] },
        'identities[0].namespace',
        'required',
      ],
      [{ attributes: { hobby: 'golf' } }, 'attributes.hobby', 'unknown_attribute'],
    ];
    for (const [body, field, code] of cases) {
      const response = await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send(body)
        .expect(422);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, code })]),
      );
    }
    expect([await customers(), await identities(), await events('customer.created')]).toEqual(
      before,
    );
  });

  it('answers 409 identity_conflict naming the holder for a phone in another format, and writes nothing', async () => {
    const holder = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ phone: '13600136000' })
      .expect(201);
    const before = [await customers(), await identities()];
    const conflict = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ name: 'Dup', phone: '+86 136 0013 6000' })
      .expect(409);
    expect(conflict.body).toMatchObject({
      code: 'identity_conflict',
      holder: { id: holder.body.id, memberNo: holder.body.memberNo },
    });
    const memberNo = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ memberNo: holder.body.memberNo })
      .expect(409);
    expect(memberNo.body.holder.id).toBe(holder.body.id);
    expect([await customers(), await identities()]).toEqual(before);
  });

  it('keeps tenants apart and hides other stores from store staff', async () => {
    const other = await t.tenant();
    const created = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ phone: '13500135000', storeId: 'store-a' })
      .expect(201);
    await t.http
      .get(`/v1/customers/${created.body.id}`)
      .set('authorization', other.auth)
      .expect(404);
    await t.http
      .get('/v1/customers/lookup')
      .query({ phone: '13500135000' })
      .set('authorization', other.auth)
      .expect(404);

    const staffA = await t.staff(tenant, 'staff', { storeId: 'store-a' });
    const staffB = await t.staff(tenant, 'staff', { storeId: 'store-b' });
    const manager = await t.staff(tenant, 'manager', { storeId: 'store-b' });
    await t.http
      .get(`/v1/customers/${created.body.id}`)
      .set('authorization', staffA.auth)
      .expect(200);
    await t.http
      .get(`/v1/customers/${created.body.id}`)
      .set('authorization', staffB.auth)
      .expect(404);
    await t.http
      .get(`/v1/customers/${created.body.id}`)
      .set('authorization', manager.auth)
      .expect(200);
    const registered = await t.http
      .post('/v1/customers')
      .set('authorization', staffB.auth)
      .send({ name: 'Walk-in', storeId: 'store-a' })
      .expect(201);
    expect(registered.body.storeId).toBe('store-b');
    await t.http.get('/v1/customers/not-a-uuid').set('authorization', tenant.auth).expect(404);
  });

  it('replays a create with the same Idempotency-Key instead of registering twice', async () => {
    const before = await customers();
    const first = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .set('idempotency-key', 'create-1')
      .send({ phone: '13300133000' })
      .expect(201);
    const again = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .set('idempotency-key', 'create-1')
      .send({ phone: '13300133000' })
      .expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await customers()).toBe(before + 1);
  });
});
