import { CustomerExtensions } from '../../src/customers/customer-extensions';
import { TestApp, TenantClient } from '../support/test-app';

describe('customers: duplicates and merge', () => {
  let t: TestApp;
  let tenant: TenantClient;
  const handlerCalls: [string, string[]][] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    // A feature's merge handler, as loyalty or transactions register theirs.
    t.app
      .get(CustomerExtensions)
      .registerMergeHandler('test-feature', async (_tx, survivorId, sourceIds) => {
        handlerCalls.push([survivorId, sourceIds]);
      });
  });
  afterAll(() => t.close());

  const create = async (body: Record<string, unknown>) =>
    (await t.http.post('/v1/customers').set('authorization', tenant.auth).send(body).expect(201))
      .body;
  const merge = (id: string, sourceIds: string[], auth = tenant.auth) =>
    t.http.post(`/v1/customers/${id}/merge`).set('authorization', auth).send({ sourceIds });
  const snapshot = async () => ({
    statuses: await t.sql(
      'SELECT id, status, merged_into, version FROM customers WHERE tenant_id = $1 ORDER BY id',
      [tenant.tenantId],
    ),
    identities: await t.sql(
      'SELECT id, customer_id FROM customer_identities WHERE tenant_id = $1 ORDER BY id',
      [tenant.tenantId],
    ),
    events: await t.count('events', 'tenant_id = $1 AND type = $2', [
      tenant.tenantId,
      'customer.merged',
    ]),
  });

  it('lists candidate pairs with reasons and scores', async () => {
    const a = await create({ name: '陈静', birthday: '1990-01-02', phone: '13512340001' });
    const b = await create({ name: '陈静', birthday: '1990-01-02' });
    const c = await create({ name: '陈晶', phone: '13612340001' });
    const response = await t.http
      .get('/v1/customers/duplicates')
      .set('authorization', tenant.auth)
      .expect(200);
    const pairs = response.body.items as {
      customerId: string;
      duplicateId: string;
      reasons: string[];
      score: number;
    }[];
    expect(pairs).toEqual(
      expect.arrayContaining([
        { customerId: a.id, duplicateId: b.id, reasons: ['same_name_birthday'], score: 0.7 },
        { customerId: a.id, duplicateId: c.id, reasons: ['same_pinyin_phone_tail'], score: 0.6 },
      ]),
    );
    await merge(a.id, [b.id, c.id]).expect(200);
  });

  it('moves identities, interactions and follow-ups, fills blanks, leaves tombstones that redirect', async () => {
    const survivor = await create({
      name: 'Survivor',
      phone: '13711110001',
      tags: ['a'],
      attributes: {},
    });
    const source = await create({
      name: 'Source',
      email: 'src@example.com',
      clothingSize: 'L',
      tags: ['b'],
      identities: [{ type: 'external', value: 'shopify:77' }],
    });
    await t.http
      .post(`/v1/customers/${source.id}/interactions`)
      .set('authorization', tenant.auth)
      .send({ type: 'note', summary: 'likes linen' })
      .expect(201);
    await t.http
      .post(`/v1/customers/${source.id}/follow-ups`)
      .set('authorization', tenant.auth)
      .send({ reason: 'call', dueAt: '2026-12-01T00:00:00Z' })
      .expect(201);

    const merged = await merge(survivor.id, [source.id]).expect(200);
    expect(merged.body).toMatchObject({
      id: survivor.id,
      name: 'Survivor',
      email: 'src@example.com',
      clothingSize: 'L',
      phone: '+8613711110001',
    });
    expect(merged.body.tags.sort()).toEqual(['a', 'b']);
    expect(handlerCalls).toContainEqual([survivor.id, [source.id]]);

    for (const query of [
      'email=src@example.com',
      `memberNo=${source.memberNo}`,
      'identity=external:shopify:77',
    ]) {
      expect(
        (
          await t.http
            .get(`/v1/customers/lookup?${query}`)
            .set('authorization', tenant.auth)
            .expect(200)
        ).body.id,
      ).toBe(survivor.id);
    }
    const redirect = await t.http
      .get(`/v1/customers/${source.id}`)
      .set('authorization', tenant.auth)
      .expect(308);
    expect(redirect.headers.location).toBe(`/v1/customers/${survivor.id}`);
    expect(await t.count('customer_interactions', 'customer_id = $1', [survivor.id])).toBe(1);
    expect(await t.count('customer_follow_ups', 'customer_id = $1', [survivor.id])).toBe(1);
    expect(
      await t.count('events', 'customer_id = $1 AND type = $2', [survivor.id, 'customer.merged']),
    ).toBe(1);

    // Later writes addressed to the merged id land on the survivor.
    await t.http
      .post(`/v1/customers/${source.id}/interactions`)
      .set('authorization', tenant.auth)
      .send({ type: 'call', summary: 'after merge' })
      .expect(201);
    expect(await t.count('customer_interactions', 'customer_id = $1', [survivor.id])).toBe(2);
    const patched = await t.http
      .patch(`/v1/customers/${source.id}`)
      .set('authorization', tenant.auth)
      .send({ shoeSize: '40' })
      .expect(200);
    expect(patched.body.id).toBe(survivor.id);
  });

  it("refuses merging into itself, an unknown or other tenant's source, and a merged target, writing nothing", async () => {
    const other = await t.tenant();
    const foreign = (
      await t.http
        .post('/v1/customers')
        .set('authorization', other.auth)
        .send({ name: 'Foreign' })
        .expect(201)
    ).body;
    const a = await create({ name: 'A' });
    const b = await create({ name: 'B' });
    const c = await create({ name: 'C' });
    await merge(b.id, [c.id]).expect(200);
    const before = await snapshot();

    const self = await merge(a.id, [a.id]).expect(422);
    expect(self.body.errors[0]).toMatchObject({ field: 'sourceIds[0]', code: 'same_as_target' });
    const cross = await merge(a.id, [foreign.id]).expect(422);
    expect(cross.body.errors[0]).toMatchObject({ field: 'sourceIds[0]', code: 'not_found' });
    const mergedTarget = await merge(c.id, [a.id]).expect(409);
    expect(mergedTarget.body).toMatchObject({ code: 'conflict', mergedInto: b.id });
    const mergedSource = await merge(a.id, [c.id]).expect(422);
    expect(mergedSource.body.errors[0].code).toBe('not_active');
    await merge(a.id, ['not-a-uuid']).expect(422);
    const staff = await t.staff(tenant, 'staff', { storeId: 's1' });
    await merge(a.id, [b.id], staff.auth).expect(403);

    expect(await snapshot()).toEqual(before);
    expect(
      await t.count('customers', 'tenant_id = $1 AND status = $2', [other.tenantId, 'active']),
    ).toBe(1);
  });

  it('re-points older tombstones when a survivor is merged again', async () => {
    const a = await create({ name: 'One' });
    const b = await create({ name: 'Two' });
    const c = await create({ name: 'Three' });
    await merge(b.id, [a.id]).expect(200);
    await merge(c.id, [b.id]).expect(200);
    expect(
      (await t.http.get(`/v1/customers/${a.id}`).set('authorization', tenant.auth).expect(308))
        .headers.location,
    ).toBe(`/v1/customers/${c.id}`);
  });
});
