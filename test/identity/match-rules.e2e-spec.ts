import { TestApp, TenantClient } from '../support/test-app';

describe('identity: tenant match rules, guest promotion, automatic merges', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const create = (body: Record<string, unknown>) =>
    t.http.post('/v1/customers').set('authorization', tenant.auth).send(body);
  const counts = async () => ({
    customers: await t.count('customers', 'tenant_id = $1', [tenant.tenantId]),
    identities: await t.count('customer_identities', 'tenant_id = $1', [tenant.tenantId]),
    merges: await t.count('customer_merges', 'tenant_id = $1', [tenant.tenantId]),
  });

  it('answers the defaults until the tenant sets its own', async () => {
    const response = await t.http
      .get('/v1/identity/rules')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(response.body).toEqual({
      rules: [
        { match: 'wechat_unionid', action: 'merge' },
        { match: 'phone_verified', action: 'merge' },
        { match: 'email', action: 'suggest' },
        { match: 'name_birthday', action: 'suggest' },
      ],
      isDefault: true,
      version: 0,
    });
  });

  it('refuses bad rules with one error per entry and stores nothing', async () => {
    const response = await t.http
      .put('/v1/identity/rules')
      .set('authorization', tenant.auth)
      .send({
        rules: [
          { match: 'shoe_size', action: 'merge' },
          { match: 'email', action: 'merge' },
          { match: 'email', action: 'suggest' },
          { match: 'name_birthday', action: 'merge' },
          { match: 'phone', action: 'always' },
        ],
      })
      .expect(422);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ field: 'rules[0].match', code: 'not_allowed' }),
      expect.objectContaining({ field: 'rules[2].match', code: 'duplicate' }),
      expect.objectContaining({ field: 'rules[3].action', code: 'not_allowed' }),
      expect.objectContaining({ field: 'rules[4].action', code: 'not_allowed' }),
    ]);
    expect(await t.count('identity_match_rules', 'tenant_id = $1', [tenant.tenantId])).toBe(0);
    const staff = await t.staff(tenant, 'staff', { storeId: 'S1' });
    await t.http
      .put('/v1/identity/rules')
      .set('authorization', staff.auth)
      .send({ rules: [] })
      .expect(403);
    expect(await t.count('identity_match_rules', 'tenant_id = $1', [tenant.tenantId])).toBe(0);
  });

  it('promotes an e-shop guest (e-mail only) when the same person registers with e-mail and phone: one customer with its history', async () => {
    const guest = (
      await create({
        email: 'guest.buyer@example.com',
        identities: [{ type: 'external', namespace: 'eshop', value: 'order-guest-1' }],
      }).expect(201)
    ).body;
    await t.http
      .post(`/v1/customers/${guest.id}/interactions`)
      .set('authorization', tenant.auth)
      .send({ type: 'note', summary: 'guest checkout' })
      .expect(201);
    const before = await counts();

    const registered = (
      await create({ name: '王芳', email: 'Guest.Buyer@example.com', phone: '13900001111' }).expect(
        201,
      )
    ).body;
    expect(registered).toMatchObject({
      id: guest.id,
      name: '王芳',
      phone: '+8613900001111',
      email: 'guest.buyer@example.com',
      memberNo: guest.memberNo,
    });
    expect(await counts()).toEqual({ ...before, identities: before.identities + 1 });
    for (const query of [
      'phone=13900001111',
      'email=guest.buyer@example.com',
      'identity=external:eshop:order-guest-1',
    ]) {
      expect(
        (
          await t.http
            .get(`/v1/customers/lookup?${query}`)
            .set('authorization', tenant.auth)
            .expect(200)
        ).body.id,
      ).toBe(guest.id);
    }
    expect(await t.count('customer_interactions', 'customer_id = $1', [guest.id])).toBe(1);
  });

  it('never merges silently across different phones: 409 identity_conflict, nothing written', async () => {
    const member = (
      await create({
        name: 'Has Phone',
        email: 'member.one@example.com',
        phone: '13900002222',
        identities: [{ type: 'wechat_unionid', namespace: 'open1', value: 'u-conflict' }],
      }).expect(201)
    ).body;
    const before = await counts();
    const byEmail = await create({
      name: 'Other',
      email: 'member.one@example.com',
      phone: '13900003333',
    }).expect(409);
    expect(byEmail.body).toMatchObject({
      code: 'identity_conflict',
      reason: 'different_verified_phones',
      holders: [{ id: member.id }],
    });
    const byUnion = await create({
      name: 'Other',
      phone: '13900003333',
      identities: [{ type: 'wechat_unionid', namespace: 'open1', value: 'u-conflict' }],
    }).expect(409);
    expect(byUnion.body).toMatchObject({
      code: 'identity_conflict',
      reason: 'different_verified_phones',
    });
    expect(await counts()).toEqual(before);
  });

  it('merges automatically on a unionid: the older customer survives and the merge is recorded with its rule', async () => {
    const older = (
      await create({
        name: 'Official Account',
        identities: [
          { type: 'wechat_unionid', namespace: 'open1', value: 'u-auto' },
          { type: 'wechat_openid', namespace: 'wxoa', value: 'o-oa' },
        ],
      }).expect(201)
    ).body;
    const younger = (
      await create({
        name: 'Mini Program',
        identities: [{ type: 'wechat_openid', namespace: 'wxmp', value: 'o-mp' }],
      }).expect(201)
    ).body;
    const added = await t.http
      .post(`/v1/customers/${younger.id}/identities`)
      .set('authorization', tenant.auth)
      .send({ type: 'wechat_unionid', namespace: 'open1', value: 'u-auto' })
      .expect(200);
    expect(added.body.customerId ?? older.id).toBe(older.id);
    await t.http.get(`/v1/customers/${younger.id}`).set('authorization', tenant.auth).expect(308);
    expect(
      (
        await t.http
          .get('/v1/customers/lookup?identity=wechat_openid:wxmp:o-mp')
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.id,
    ).toBe(older.id);
  });

  it('merges a registration onto the holder of a verified phone; an unverified phone stays a 409', async () => {
    const verified = (
      await create({
        name: 'Verified',
        phone: '13900004444',
        identities: [{ type: 'phone', value: '13900004444', verified: true }],
      }).expect(201)
    ).body;
    const landed = (
      await create({
        name: 'Ignored Name',
        phone: '139 0000 4444',
        clothingSize: 'M',
        identities: [{ type: 'wechat_openid', namespace: 'wxmp', value: 'o-till' }],
      }).expect(201)
    ).body;
    expect(landed).toMatchObject({ id: verified.id, name: 'Verified', clothingSize: 'M' });

    await create({ name: 'Unverified', phone: '13900005555' }).expect(201);
    const before = await counts();
    expect((await create({ name: 'Again', phone: '13900005555' }).expect(409)).body.code).toBe(
      'identity_conflict',
    );
    expect(await counts()).toEqual(before);
  });

  it("applies the tenant's own rules: e-mail set to merge lands a registration on a member with the same e-mail", async () => {
    const other = await t.tenant();
    await t.http
      .put('/v1/identity/rules')
      .set('authorization', other.auth)
      .send({ rules: [{ match: 'email', action: 'merge' }] })
      .expect(200);
    expect(
      (await t.http.get('/v1/identity/rules').set('authorization', other.auth).expect(200)).body,
    ).toMatchObject({ rules: [{ match: 'email', action: 'merge' }], isDefault: false, version: 1 });
    const first = (
      await t.http
        .post('/v1/customers')
        .set('authorization', other.auth)
        .send({
          name: 'First',
          email: 'same@example.com',
          identities: [{ type: 'wechat_unionid', namespace: 'o', value: 'u1' }],
        })
        .expect(201)
    ).body;
    const second = (
      await t.http
        .post('/v1/customers')
        .set('authorization', other.auth)
        .send({ email: 'same@example.com', birthday: '1991-02-03' })
        .expect(201)
    ).body;
    expect(second).toMatchObject({ id: first.id, birthday: '1991-02-03' });
    // unionid no longer merges for this tenant.
    const holder = (
      await t.http
        .post('/v1/customers')
        .set('authorization', other.auth)
        .send({ name: 'B' })
        .expect(201)
    ).body;
    await t.http
      .post(`/v1/customers/${holder.id}/identities`)
      .set('authorization', other.auth)
      .send({ type: 'wechat_unionid', namespace: 'o', value: 'u1' })
      .expect(409);
  });
});
