import { TestApp } from './support/test-app';

describe('health, metrics and rate limiting', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  it('reports liveness and database readiness without a token', async () => {
    expect((await t.http.get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await t.http.get('/health/ready').expect(200)).body).toEqual({
      status: 'ok',
      checks: { database: 'ok' },
    });
  });

  it('exposes Prometheus metrics: latency by route template and pool gauges', async () => {
    await t.http.get('/health/live').expect(200);
    const text = (await t.http.get('/metrics').expect(200)).text;
    expect(text).toMatch(/kehu_http_request_duration_seconds_bucket\{.*route="\/health\/live".*\}/);
    expect(text).toMatch(/kehu_db_pool_connections\{state="total"\} \d+/);
  });

  it('limits each client per minute with 429 and Retry-After, without touching other clients', async () => {
    const greedy = await t.tenant(['customers:read']);
    const polite = await t.client(greedy, ['customers:read']);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await t.http.get('/v1/me').set('authorization', greedy.auth)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await t.http.get('/v1/me').set('authorization', greedy.auth).expect(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await t.http.get('/v1/me').set('authorization', polite.auth).expect(200);
  });
});
