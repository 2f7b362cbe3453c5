import { TestApp, TenantClient } from '../support/test-app';

describe('identity: namespaced WeChat, WeCom and external ids', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const customers = () => t.count('customers', 'tenant_id = $1', [tenant.tenantId]);
  const identities = () => t.count('customer_identities', 'tenant_id = $1', [tenant.tenantId]);

  it.each(['wechat_openid', 'wechat_unionid', 'wework_external_userid', 'external'])(
    'refuses a %s without a namespace on create, writing nothing',
    async (type) => {
      const [c, i] = [await customers(), await identities()];
      const response = await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'No Namespace', identities: [{ type, value: 'o-no-ns' }] })
        .expect(422);
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'identities[0].namespace', code: 'required' }),
        ]),
      );
      expect([await customers(), await identities()]).toEqual([c, i]);
    },
  );

  it('refuses a missing namespace when adding an identity, writing nothing', async () => {
    const created = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'Has None' })
        .expect(201)
    ).body;
    const before = await identities();
    const response = await t.http
      .post(`/v1/customers/${created.id}/identities`)
      .set('authorization', tenant.auth)
      .send({ type: 'wework_external_userid', value: 'wmABC' })
      .expect(422);
    expect(response.body.errors[0]).toMatchObject({
      field: 'identity.namespace',
      code: 'required',
    });
    expect(await identities()).toBe(before);
  });

  it('keeps openids of two apps apart: the same openid string in two namespaces is two identities', async () => {
    const a = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({
          name: 'Official Account',
          identities: [{ type: 'wechat_openid', namespace: 'wxoa1', value: 'oSAME' }],
        })
        .expect(201)
    ).body;
    const b = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({
          name: 'Mini Program',
          identities: [
            { type: 'wechat_openid', namespace: 'wxmp2', value: 'oSAME' },
            { type: 'wework_external_userid', namespace: 'ww-corp', value: 'wmX1' },
          ],
        })
        .expect(201)
    ).body;
    const look = (identity: string) =>
      t.http.get('/v1/customers/lookup').query({ identity }).set('authorization', tenant.auth);
    expect((await look('wechat_openid:wxoa1:oSAME').expect(200)).body.id).toBe(a.id);
    expect((await look('wechat_openid:wxmp2:oSAME').expect(200)).body.id).toBe(b.id);
    expect((await look('wework_external_userid:ww-corp:wmX1').expect(200)).body.id).toBe(b.id);
    await look('wework_external_userid:other-corp:wmX1').expect(404);
  });

  it('look-up without the namespace is 422 naming identity.namespace', async () => {
    const response = await t.http
      .get('/v1/customers/lookup')
      .query({ identity: 'wechat_openid:oSAME' })
      .set('authorization', tenant.auth)
      .expect(422);
    expect(response.body.errors[0]).toMatchObject({
      field: 'identity.namespace',
      code: 'required',
    });
    const bad = await t.http
      .get('/v1/customers/lookup')
      .query({ identity: 'wechat_unionid:bad ns!:u1' })
      .set('authorization', tenant.auth)
      .expect(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'identity.namespace', code: 'invalid' });
  });

  it('an openid claimed by a second customer is 409 identity_conflict and writes nothing', async () => {
    await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({
        name: 'First',
        identities: [{ type: 'wechat_openid', namespace: 'wxoa1', value: 'oCLAIM' }],
      })
      .expect(201);
    const [c, i] = [await customers(), await identities()];
    const response = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({
        name: 'Second',
        phone: '13800990001',
        identities: [{ type: 'wechat_openid', namespace: 'wxoa1', value: 'oCLAIM' }],
      })
      .expect(409);
    expect(response.body.code).toBe('identity_conflict');
    expect([await customers(), await identities()]).toEqual([c, i]);
  });
});
