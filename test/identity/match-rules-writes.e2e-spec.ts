import { waitForImport } from '../support/import-helpers';
import { sale } from '../support/loyalty-helpers';
import { TestApp, TenantClient } from '../support/test-app';

/**
 * The same match rules on every write that brings an identity another customer holds: create,
 * update, transaction ingest and import. Each automatic merge is recorded with the rule that
 * fired (GET /v1/customers/{id}/merges); a `suggest` rule never merges.
 */
describe('identity: match rules on create, update, ingest and import', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RATE_LIMIT_PER_MINUTE: '0' });
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const create = async (body: Record<string, unknown>, as = tenant) =>
    (await t.http.post('/v1/customers').set('authorization', as.auth).send(body).expect(201)).body;
  const merges = async (id: string, as = tenant) =>
    (await t.http.get(`/v1/customers/${id}/merges`).set('authorization', as.auth).expect(200)).body
      .items;
  const counts = async (as = tenant) => ({
    customers: await t.count('customers', "tenant_id = $1 AND status = 'active'", [as.tenantId]),
    identities: await t.count('customer_identities', 'tenant_id = $1', [as.tenantId]),
    merges: await t.count('customer_merges', 'tenant_id = $1', [as.tenantId]),
    transactions: await t.count('transactions', 'tenant_id = $1', [as.tenantId]),
  });
  const verifiedPhone = (phone: string, extra: Record<string, unknown> = {}) =>
    create({ phone, identities: [{ type: 'phone', value: phone, verified: true }], ...extra });

  it('create: a registration bringing ids of two customers merges them, recorded with the strongest rule', async () => {
    const wechat = await create({
      name: 'OA follower',
      identities: [{ type: 'wechat_unionid', namespace: 'open1', value: 'u-create' }],
    });
    const till = await verifiedPhone('13911110009', { name: 'Till member' });
    const landed = await create({
      name: 'Ignored',
      phone: '13911110009',
      clothingSize: 'S',
      identities: [{ type: 'wechat_unionid', namespace: 'open1', value: 'u-create' }],
    });
    expect(landed).toMatchObject({
      id: wechat.id,
      name: 'OA follower',
      phone: '+8613911110009',
      clothingSize: 'S',
    });
    const [recorded, ...rest] = await merges(wechat.id);
    expect(rest).toEqual([]);
    expect(recorded).toMatchObject({
      survivorId: wechat.id,
      sourceIds: [till.id],
      rule: 'wechat_unionid',
      reason: expect.stringContaining('create'),
      actorKind: 'client',
    });

    // One holder linked by a merge rule (verified phone) is enough, whatever else of its ids the
    // registration repeats (its e-mail, a suggest rule): it lands there without a merge.
    const again = await create({ phone: '13911110009', email: 'till.member@example.com' });
    expect(again.id).toBe(wechat.id);
    const repeat = await create({ phone: '13911110009', email: 'till.member@example.com' });
    expect(repeat.id).toBe(wechat.id);
    expect(await merges(wechat.id)).toHaveLength(1);

    // An openid has no rule of its own: its holder is only suggested, nothing is merged.
    await create({
      name: 'Mini program',
      identities: [{ type: 'wechat_openid', namespace: 'wxmp', value: 'o-create' }],
    });
    const before = await counts();
    await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({
        identities: [
          { type: 'wechat_unionid', namespace: 'open1', value: 'u-create' },
          { type: 'wechat_openid', namespace: 'wxmp', value: 'o-create' },
        ],
      })
      .expect(409);
    expect(await counts()).toEqual(before);
  });

  it('update: a PATCH bringing a verified phone another customer holds merges into the older, recorded with rule phone_verified', async () => {
    const holder = await verifiedPhone('13911110000', { name: 'Holder' });
    const patched = await create({ name: 'Patched', phone: '13911110001' });
    const response = await t.http
      .patch(`/v1/customers/${patched.id}`)
      .set('authorization', tenant.auth)
      .set('content-type', 'application/merge-patch+json')
      .send({ phone: '139 1111 0000', clothingSize: 'L' })
      .expect(200);
    expect(response.body).toMatchObject({
      id: holder.id,
      name: 'Holder',
      phone: '+8613911110000',
      clothingSize: 'L',
    });
    await t.http.get(`/v1/customers/${patched.id}`).set('authorization', tenant.auth).expect(308);
    // The phone the patch replaced is gone; it was not carried to the survivor.
    await t.http
      .get('/v1/customers/lookup?phone=13911110001')
      .set('authorization', tenant.auth)
      .expect(404);
    const [recorded] = await merges(holder.id);
    expect(recorded).toMatchObject({
      survivorId: holder.id,
      sourceIds: [patched.id],
      rule: 'phone_verified',
      actorKind: 'client',
      reason: expect.stringContaining('update'),
      status: 'applied',
    });
  });

  it('update: a suggest rule (e-mail) does not merge: 409 identity_conflict with the suggestion, nothing written', async () => {
    const holder = await create({ name: 'Mail holder', email: 'held@example.com' });
    const other = await create({ name: 'Other' });
    const before = await counts();
    const response = await t.http
      .patch(`/v1/customers/${other.id}`)
      .set('authorization', tenant.auth)
      .send({ email: 'Held@example.com', name: 'Renamed' })
      .expect(409);
    expect(response.body).toMatchObject({
      code: 'identity_conflict',
      holder: { id: holder.id },
      rule: { match: 'email', action: 'suggest' },
      suggestion: { survivorId: holder.id, action: 'merge_preview' },
    });
    expect(await counts()).toEqual(before);
    expect(await merges(holder.id)).toEqual([]);
    const read = await t.http
      .get(`/v1/customers/${other.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(read.body).toMatchObject({ name: 'Other', email: null });
  });

  it('update through GraphQL updateCustomer applies the same rules', async () => {
    const holder = await create({
      name: 'GQL holder',
      identities: [{ type: 'phone', value: '13911112222', verified: true }],
      phone: '13911112222',
    });
    const patched = await create({ name: 'GQL patched' });
    const response = await t.http
      .post('/graphql')
      .set('authorization', tenant.auth)
      .send({
        query: `mutation($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { id name } }`,
        variables: { id: patched.id, input: { phone: '13911112222' } },
      })
      .expect(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.updateCustomer).toEqual({ id: holder.id, name: 'GQL holder' });
    expect((await merges(holder.id))[0]).toMatchObject({ rule: 'phone_verified' });
  });

  it('ingest: a sale naming its customer by a verified phone and a unionid held by two customers merges them and lands on the survivor', async () => {
    const wechat = await create({
      name: 'WeChat',
      identities: [{ type: 'wechat_unionid', namespace: 'open1', value: 'u-sale' }],
    });
    const till = await verifiedPhone('13911113333', { name: 'Till' });
    const response = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(
        sale(null, '88.00', {
          customer: { phone: '13911113333', identities: ['wechat_unionid:open1:u-sale'] },
        }),
      )
      .expect(201);
    expect(response.body.customerId).toBe(wechat.id);
    await t.http.get(`/v1/customers/${till.id}`).set('authorization', tenant.auth).expect(308);
    const [recorded] = await merges(wechat.id);
    // Both links are `merge` rules; the recorded one is the first in the tenant's priority order.
    expect(recorded).toMatchObject({
      sourceIds: [till.id],
      rule: 'wechat_unionid',
      reason: expect.stringContaining('ingest'),
      actorKind: 'client',
    });
    expect(await t.count('customer_merges', 'survivor_id = $1', [wechat.id])).toBe(1);

    // Identities of one customer (after the merge) are just that customer: no rule, no merge.
    const again = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(
        sale(null, '12.00', {
          customer: { phone: '13911113333', identities: ['wechat_unionid:open1:u-sale'] },
        }),
      )
      .expect(201);
    expect(again.body.customerId).toBe(wechat.id);
    expect(await t.count('customer_merges', 'survivor_id = $1', [wechat.id])).toBe(1);
  });

  it('ingest: identities of two customers linked only by a suggest rule are a 409 (single) and an item error (batch), nothing merged', async () => {
    const phone = await verifiedPhone('13911114444', { name: 'By phone' });
    await create({ name: 'By mail', email: 'buyer@example.com' });
    const before = await counts();
    const single = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(sale(null, '10.00', { customer: { phone: '13911114444', email: 'buyer@example.com' } }))
      .expect(409);
    expect(single.body).toMatchObject({
      code: 'identity_conflict',
      rule: { match: 'email', action: 'suggest' },
    });
    expect(await counts()).toEqual(before);

    const batch = await t.http
      .post('/v1/transactions/batch')
      .set('authorization', tenant.auth)
      .send({
        transactions: [
          sale(null, '10.00', { customer: { phone: '13911114444', email: 'buyer@example.com' } }),
          sale(null, '12.00', { customer: { phone: '13911114444' } }),
        ],
      })
      .expect(200);
    const results = batch.body.results;
    expect(results[0]).toMatchObject({ status: 'error', error: { code: 'identity_conflict' } });
    expect(results[1]).toMatchObject({ status: 'created' });
    expect(await counts()).toEqual({ ...before, transactions: before.transactions + 1 });
    expect(await merges(phone.id)).toEqual([]);
  });

  it('ingest: a reference is an id alone or identities, never both (422)', async () => {
    const someone = await create({ name: 'Someone', phone: '13911115555' });
    const response = await t.http
      .post('/v1/transactions')
      .set('authorization', tenant.auth)
      .send(sale(null, '10.00', { customer: { id: someone.id, phone: '13911115555' } }))
      .expect(422);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ field: 'customer', code: 'one_reference' }),
    ]);
  });

  it('import: a row naming two stored customers merges them by the rule that fired; a suggest-only row is a row error', async () => {
    const other = await t.tenant();
    await t.http
      .put('/v1/identity/rules')
      .set('authorization', other.auth)
      .send({
        rules: [
          { match: 'external', action: 'merge' },
          { match: 'phone_verified', action: 'merge' },
          { match: 'email', action: 'suggest' },
        ],
      })
      .expect(200);
    const crm = await create(
      {
        name: 'CRM record',
        identities: [{ type: 'external', namespace: 'crm', value: 'C-1' }],
      },
      other,
    );
    const member = await create(
      {
        name: 'Member',
        phone: '13911116666',
        identities: [{ type: 'phone', value: '13911116666', verified: true }],
      },
      other,
    );
    const mailOnly = await create({ name: 'Mail only', email: 'only@example.com' }, other);
    const phoneOnly = await create({ name: 'Phone only', phone: '13911117777' }, other);
    const before = await counts(other);

    const csv =
      'name,phone,email,ext\n' +
      'Imported,13911116666,,C-1\n' + // external + verified phone → merge
      ',,merged@example.com,C-1\n' + // same person again (by C-1): fills the e-mail blank
      'Conflict,13911117777,only@example.com,\n'; // phone (unverified) + e-mail: suggest only
    const mapping = JSON.stringify({
      columns: { name: 'name', phone: 'phone', email: 'email', ext: 'externalId' },
      namespace: 'crm',
    });
    const started = await t.http
      .post(`/v1/imports?${new URLSearchParams({ kind: 'customers', mapping })}`)
      .set('authorization', other.auth)
      .set('content-type', 'text/csv')
      .send(Buffer.from(csv))
      .expect(202);
    const done = await waitForImport(t, other, started.body.id);
    expect(done).toMatchObject({ status: 'completed', processed: 3, failed: 1, created: 0 });

    const [recorded] = await merges(crm.id, other);
    expect(recorded).toMatchObject({
      survivorId: crm.id,
      sourceIds: [member.id],
      rule: 'external',
      actorKind: 'client',
      actorId: `import:${started.body.id}`,
      reason: expect.stringContaining('import'),
    });
    const survivor = await t.http
      .get(`/v1/customers/${crm.id}`)
      .set('authorization', other.auth)
      .expect(200);
    expect(survivor.body).toMatchObject({
      name: 'CRM record',
      phone: '+8613911116666',
      email: 'merged@example.com',
    });

    const errors = (
      await t.http
        .get(`/v1/imports/${started.body.id}/errors`)
        .set('authorization', other.auth)
        .expect(200)
    ).body.items;
    expect(errors).toEqual([expect.objectContaining({ line: 4, code: 'identity_conflict' })]);
    expect(await merges(mailOnly.id, other)).toEqual([]);
    expect(await merges(phoneOnly.id, other)).toEqual([]);
    expect(await counts(other)).toEqual({
      ...before,
      customers: before.customers - 1,
      identities: before.identities + 1,
      merges: 1,
    });
  });
});
