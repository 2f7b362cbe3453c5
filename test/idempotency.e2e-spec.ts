import { TestApp, TenantClient } from './support/test-app';

/** Idempotency-Key on POST: retries get the first answer, never a second record. */
describe('Idempotency-Key', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const create = (key: string, body: Record<string, unknown>, auth = tenant.auth) =>
    t.http.post('/v1/customers').set('authorization', auth).set('idempotency-key', key).send(body);
  const customers = () => t.count('customers', 'tenant_id = $1', [tenant.tenantId]);

  it('replays the first response for a retry with the same key and body', async () => {
    const first = await create('retry-1', { name: '王五', phone: '13900139000' }).expect(201);
    const again = await create('retry-1', { phone: '13900139000', name: '王五' }).expect(201); // key order does not matter
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await customers()).toBe(1);
  });

  it('refuses the same key with a different body (422 idempotency_key_reuse) and writes nothing', async () => {
    const before = await customers();
    const response = await create('retry-1', { name: '赵六', phone: '13700137000' }).expect(422);
    expect(response.body.code).toBe('idempotency_key_reuse');
    expect(await customers()).toBe(before);
  });

  it('lets concurrent duplicates create exactly one record', async () => {
    const before = await customers();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => create('burst-1', { name: '钱七', phone: '13600136000' })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const conflict of responses.filter((r) => r.status === 409))
      expect(conflict.body.code).toBe('idempotency_in_progress');
    const ids = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(await customers()).toBe(before + 1);
  });

  it('keeps keys separate per client and replays validation failures', async () => {
    const other = await t.client(tenant, ['customers:write', 'customers:read']);
    const before = await customers();
    await create('shared-key', { name: '孙八' }).expect(201);
    await create('shared-key', { name: '孙八' }, other.auth).expect(201);
    expect(await customers()).toBe(before + 2);

    const bad = await create('bad-1', { name: '周九', phone: 'not a phone' }).expect(422);
    const badAgain = await create('bad-1', { name: '周九', phone: 'not a phone' }).expect(422);
    expect(badAgain.headers['idempotent-replayed']).toBe('true');
    expect(badAgain.body.code).toBe(bad.body.code);
  });

  it('refuses a malformed key', async () => {
    const response = await create('x'.repeat(300), { name: '吴十' }).expect(422);
    expect(response.body.errors[0].field).toBe('Idempotency-Key');
  });
});
