import { TestApp } from './support/test-app';

describe('webhooks: SSRF guard with the default configuration', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it.each([
    ['http://hooks.example.com/kehu', 'https_required'],
    ['ftp://hooks.example.com/kehu', 'https_required'],
    ['not a url', 'invalid_url'],
    ['https://127.0.0.1/hook', 'private_address'],
    ['https://localhost:8443/hook', 'private_address'],
    ['https://10.1.2.3/hook', 'private_address'],
    ['https://192.168.1.10/hook', 'private_address'],
    ['https://169.254.169.254/latest/meta-data', 'private_address'],
    ['https://[::1]/hook', 'private_address'],
    ['https://[::ffff:127.0.0.1]/hook', 'private_address'],
    ['https://user:pw@hooks.example.com/kehu', 'credentials_in_url'],
  ])('refuses %s (%s) and stores nothing', async (url, code) => {
    const tenant = await t.tenant(['webhooks:admin']);
    const response = await t.http
      .post('/v1/webhooks')
      .set('authorization', tenant.auth)
      .send({ url, events: ['customer.created'] })
      .expect(422);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'url', code })]);
    expect(await t.count('webhooks', 'tenant_id = $1', [tenant.tenantId])).toBe(0);
  });

  it('accepts a public https address', async () => {
    const tenant = await t.tenant(['webhooks:admin']);
    await t.http
      .post('/v1/webhooks')
      .set('authorization', tenant.auth)
      .send({ url: 'https://93.184.215.14/kehu', events: ['*'] })
      .expect(201);
  });
});
