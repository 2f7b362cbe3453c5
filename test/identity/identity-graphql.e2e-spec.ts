import { TestApp, TenantClient } from '../support/test-app';

describe('identity: GraphQL mirror', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  it('reads and sets rules, previews, lists and undoes merges through the same services', async () => {
    const rules = await t.graphql(
      tenant.auth,
      `{ identityRules { isDefault rules { match action } } }`,
    );
    expect(rules.body.data.identityRules).toMatchObject({
      isDefault: true,
      rules: expect.arrayContaining([{ match: 'wechat_unionid', action: 'merge' }]),
    });
    const bad = await t.graphql(
      tenant.auth,
      `mutation { setIdentityRules(input: { rules: [{ match: "name_birthday", action: "merge" }] }) { version } }`,
    );
    expect(bad.body.errors[0].extensions.code).toBe('validation_failed');
    expect(await t.count('identity_match_rules', 'tenant_id = $1', [tenant.tenantId])).toBe(0);

    const a = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'GQL A' })
        .expect(201)
    ).body;
    const b = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: 'GQL B', email: 'gql.b@example.com' })
        .expect(201)
    ).body;
    const preview = await t.graphql(
      tenant.auth,
      `query ($input: MergePreviewInput!) { mergePreview(input: $input) { result { id email } fields { field winner } } }`,
      { input: { survivorId: a.id, sourceIds: [b.id] } },
    );
    expect(preview.body.data.mergePreview.result).toEqual({ id: a.id, email: 'gql.b@example.com' });
    expect(await t.count('customer_merges', 'tenant_id = $1', [tenant.tenantId])).toBe(0);

    await t.http
      .post(`/v1/customers/${a.id}/merge`)
      .set('authorization', tenant.auth)
      .send({ sourceIds: [b.id] })
      .expect(200);
    const listed = await t.graphql(
      tenant.auth,
      `query ($id: ID!) { customerMerges(customerId: $id) { items { id status sourceIds } } }`,
      { id: a.id },
    );
    const merge = listed.body.data.customerMerges.items[0];
    expect(merge).toMatchObject({ status: 'applied', sourceIds: [b.id] });
    const undone = await t.graphql(
      tenant.auth,
      `mutation ($id: ID!) { undoMerge(mergeId: $id) { status } }`,
      { id: merge.id },
    );
    expect(undone.body.data.undoMerge.status).toBe('undone');
    const again = await t.graphql(
      tenant.auth,
      `mutation ($id: ID!) { undoMerge(mergeId: $id) { status } }`,
      { id: merge.id },
    );
    expect(again.body.errors[0].extensions.code).toBe('invalid_transition');
  });
});
