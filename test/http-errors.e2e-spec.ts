import { TestApp, TenantClient } from './support/test-app';

/** What a caller gets for bad requests: problem+json with a stable code, nothing written. */
describe('HTTP errors are problem+json with stable codes', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_BODY_LIMIT_BYTES: '2048' });
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const expectProblem = (
    response: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
    status: number,
    code: string,
  ) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status,
      code,
      type: expect.stringContaining('https://'),
      title: expect.any(String),
    });
    expect(response.body.requestId).toEqual(expect.any(String));
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(js|ts):\d+/); // no stack traces
  };

  it('answers 400 malformed_request for broken JSON', async () => {
    const response = await t.http
      .post('/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{"tenant": "demo",');
    expectProblem(response, 400, 'malformed_request');
    expect(response.body.detail).toBe('The body is not valid JSON.');
  });

  it('answers 415 for a content type the endpoint does not read', async () => {
    const response = await t.http
      .post('/v1/auth/login')
      .set('content-type', 'text/csv')
      .send('tenant,email\n');
    expectProblem(response, 415, 'unsupported_media_type');
  });

  it('answers 413 payload_too_large over the body limit', async () => {
    const response = await t.http
      .post('/v1/auth/login')
      .send({ tenant: 'demo', email: 'a@example.com', password: 'x'.repeat(5000) });
    expectProblem(response, 413, 'payload_too_large');
  });

  it('names every bad field: unknown fields, wrong types, missing ones', async () => {
    const response = await t.http
      .post('/v1/auth/login')
      .send({ tenant: 42, email: 'not-an-email', isAdmin: true });
    expectProblem(response, 422, 'validation_failed');
    const errors = response.body.errors as Array<{ field: string; code: string }>;
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'isAdmin', code: 'unknown_field', message: 'isAdmin is not a known field' },
        expect.objectContaining({ field: 'tenant', code: 'string' }),
        expect.objectContaining({ field: 'email', code: 'email' }),
        { field: 'password', code: 'required', message: 'password is required' },
      ]),
    );
  });

  it('answers 404 not_found in problem form for unknown routes', async () => {
    const response = await t.http.get('/v1/no-such-thing').set('authorization', tenant.auth);
    expectProblem(response, 404, 'not_found');
  });

  it('echoes a caller-supplied X-Request-Id and puts it in the problem', async () => {
    const response = await t.http.get('/v1/tenant').set('x-request-id', 'pos-42-abc');
    expect(response.headers['x-request-id']).toBe('pos-42-abc');
    expect(response.body.requestId).toBe('pos-42-abc');
  });

  it('writes nothing when a login is refused', async () => {
    const before = await t.count('staff_users');
    await t.http
      .post('/v1/auth/login')
      .send({ tenant: tenant.slug, email: 'x@example.com', password: 'whatever-123' })
      .expect(401);
    expect(await t.count('staff_users')).toBe(before);
  });
});
