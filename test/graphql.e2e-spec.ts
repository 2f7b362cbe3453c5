import { TestApp, TenantClient } from './support/test-app';

describe('GraphQL: auth, error codes and query limits', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_GRAPHQL_MAX_DEPTH: '3', KEHU_GRAPHQL_MAX_COMPLEXITY: '8' });
    tenant = await t.tenant(['customers:read']);
  });
  afterAll(() => t.close());

  it('answers tenant and me for a valid token', async () => {
    const response = await t
      .graphql(tenant.auth, '{ tenant { id slug currency } me { kind scopes } }')
      .expect(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.tenant).toEqual({
      id: tenant.tenantId,
      slug: tenant.slug,
      currency: 'CNY',
    });
    expect(response.body.data.me).toEqual({ kind: 'client', scopes: ['customers:read'] });
  });

  it('carries the REST error code in extensions.code', async () => {
    const anonymous = await t.graphql(undefined, '{ me { kind } }');
    expect(anonymous.body.errors[0].extensions.code).toBe('unauthorized');
    const invalid = await t.graphql(tenant.auth, '{ me { noSuchField } }');
    expect(invalid.body.errors[0].extensions.code).toBe('validation_failed');
    const broken = await t.graphql(tenant.auth, '{ me { kind ');
    expect(broken.body.errors[0].extensions.code).toBe('malformed_request');
  });

  it('refuses queries over the complexity limit with query_too_complex', async () => {
    const response = await t.graphql(
      tenant.auth,
      '{ tenant { id slug name currency region timeZone createdAt } me { kind subject } }',
    );
    expect(response.body.errors[0].extensions).toMatchObject({ code: 'query_too_complex' });
    expect(response.body.errors[0].message).toMatch(/complexity \d+ exceeds the limit of 8/);
    expect(response.body.data).toBeUndefined();
  });
});

describe('GraphQL depth limit and introspection switch', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_GRAPHQL_MAX_DEPTH: '1', KEHU_GRAPHQL_INTROSPECTION: 'false' });
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  it('refuses a query deeper than allowed', async () => {
    const response = await t.graphql(tenant.auth, '{ me { kind } }');
    expect(response.body.errors[0].extensions).toMatchObject({
      code: 'query_too_complex',
      depth: 2,
      maxDepth: 1,
    });
  });

  it('refuses introspection when it is switched off', async () => {
    const response = await t.graphql(tenant.auth, '{ __schema { types { name } } }');
    expect(response.body.errors[0].extensions.code).toBe('validation_failed');
    expect(response.body.errors[0].message).toMatch(/introspection/i);
  });
});
