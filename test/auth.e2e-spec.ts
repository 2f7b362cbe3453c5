import { createHmac } from 'node:crypto';
import { TEST_SECRETS, TestApp, TenantClient } from './support/test-app';

function forgeToken(claims: Record<string, unknown>, secret: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

describe('auth: tokens, staff log-in, scopes and roles', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_LOGIN_MAX_FAILURES: '3' });
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  it('issues a bearer token for client credentials sent as JSON', async () => {
    const response = await t.http
      .post('/v1/oauth/token')
      .send({
        grant_type: 'client_credentials',
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
      })
      .expect(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(response.body.scope.split(' ')).toContain('customers:read');
    expect(response.headers['cache-control']).toBe('no-store');
    const me = await t.http
      .get('/v1/me')
      .set('authorization', `Bearer ${response.body.access_token}`)
      .expect(200);
    expect(me.body).toMatchObject({
      kind: 'client',
      subject: tenant.clientId,
      tenant: tenant.slug,
    });
  });

  it('accepts form-encoded bodies and HTTP Basic credentials, and narrows scopes on request', async () => {
    await t.http
      .post('/v1/oauth/token')
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
      })
      .expect(200);
    const basic = Buffer.from(`${tenant.clientId}:${tenant.clientSecret}`).toString('base64');
    const narrowed = await t.http
      .post('/v1/oauth/token')
      .set('authorization', `Basic ${basic}`)
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'customers:read' })
      .expect(200);
    expect(narrowed.body.scope).toBe('customers:read');
  });

  it('answers RFC 6749 errors for a wrong secret, an unknown scope and an unsupported grant', async () => {
    const wrong = await t.http
      .post('/v1/oauth/token')
      .send({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: 'nope' })
      .expect(401);
    expect(wrong.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    const scoped = await t.http
      .post('/v1/oauth/token')
      .send({
        grant_type: 'client_credentials',
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
        scope: 'root:all',
      })
      .expect(400);
    expect(scoped.body.error).toBe('invalid_scope');
    const grant = await t.http.post('/v1/oauth/token').send({ grant_type: 'password' }).expect(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
    const missing = await t.http
      .post('/v1/oauth/token')
      .send({ grant_type: 'client_credentials' })
      .expect(400);
    expect(missing.body.error).toBe('invalid_request');
  });

  it('distinguishes 401 (no or bad token) from 403 (missing scope)', async () => {
    const none = await t.http.get('/v1/tenant').expect(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.body).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(none.headers['www-authenticate']).toContain('Bearer');

    const forged = forgeToken(
      {
        sub: 'x',
        tid: tenant.tenantId,
        ten: tenant.slug,
        typ: 'client',
        scope: 'customers:read',
        iss: 'kehu',
        aud: 'kehu-api',
      },
      'not-the-secret-not-the-secret-000000',
    );
    expect(
      (await t.http.get('/v1/tenant').set('authorization', `Bearer ${forged}`).expect(401)).body
        .code,
    ).toBe('unauthorized');

    const expired = forgeToken(
      {
        sub: 'x',
        tid: tenant.tenantId,
        ten: tenant.slug,
        typ: 'client',
        scope: '',
        iss: 'kehu',
        aud: 'kehu-api',
        exp: Math.floor(Date.now() / 1000) - 60,
      },
      TEST_SECRETS.KEHU_JWT_SECRET,
    );
    const expiredResponse = await t.http
      .get('/v1/tenant')
      .set('authorization', `Bearer ${expired}`)
      .expect(401);
    expect(expiredResponse.body.detail).toMatch(/expired/);

    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', tid: tenant.tenantId, scope: 'pii:read' })).toString('base64url')}.`;
    await t.http.get('/v1/tenant').set('authorization', `Bearer ${noneAlg}`).expect(401);

    const healthOnly = await t.client(tenant, ['reports:read']);
    const me = await t.http.get('/v1/me').set('authorization', healthOnly.auth).expect(200);
    expect(me.body.scopes).toEqual(['reports:read']);
  });

  it('logs staff in with role and store in the token, and locks the account after repeated failures', async () => {
    const staff = await t.staff(tenant, 'manager', { storeId: 'store-007' });
    const me = await t.http.get('/v1/me').set('authorization', staff.auth).expect(200);
    expect(me.body).toMatchObject({
      kind: 'staff',
      role: 'manager',
      storeId: 'store-007',
      tenant: tenant.slug,
    });
    expect(me.body.scopes).not.toContain('privacy:admin');

    const login = (password: string) =>
      t.http.post('/v1/auth/login').send({ tenant: tenant.slug, email: staff.email, password });
    for (let i = 0; i < 3; i++)
      expect((await login('wrong password!').expect(401)).body.code).toBe('unauthorized');
    const locked = await login(staff.password).expect(401);
    expect(locked.body.detail).toMatch(/locked/);
    expect(locked.body.lockedUntil).toEqual(expect.any(String));

    await t.sql(
      `UPDATE staff_users SET locked_until = now() - interval '1 second' WHERE email = $1`,
      [staff.email],
    );
    await login(staff.password).expect(200);
    const [row] = await t.sql<{ failed_logins: number }>(
      `SELECT failed_logins FROM staff_users WHERE email = $1`,
      [staff.email],
    );
    expect(row.failed_logins).toBe(0);
  });

  it('refuses unknown tenants and e-mails with the same answer', async () => {
    const a = await t.http
      .post('/v1/auth/login')
      .send({ tenant: 'no-such-tenant', email: 'a@example.com', password: 'whatever-123' })
      .expect(401);
    const b = await t.http
      .post('/v1/auth/login')
      .send({ tenant: tenant.slug, email: 'nobody@example.com', password: 'whatever-123' })
      .expect(401);
    expect(a.body.detail).toBe(b.body.detail);
  });

  it('never stores a client secret or password in clear', async () => {
    const rows = await t.sql<{ secret_hash: string }>(
      `SELECT secret_hash FROM api_clients WHERE client_id = $1`,
      [tenant.clientId],
    );
    expect(rows[0].secret_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0].secret_hash).not.toContain(tenant.clientSecret);
  });
});
