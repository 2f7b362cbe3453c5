import { Tx } from '../../src/database/tx';
import { TestApp, TenantClient } from '../support/test-app';

describe('customers: GraphQL mirror', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const gql = async (
    query: string,
    variables: Record<string, unknown> = {},
    auth = tenant.auth,
  ) => {
    const response = await t.graphql(auth, query, variables).expect(200);
    return response.body as {
      data?: Record<string, any>;
      errors?: { message: string; extensions: Record<string, unknown> }[];
    };
  };

  it('creates, reads, looks up, updates and merges through the same service methods as REST', async () => {
    const created = await gql(
      `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id memberNo phone name completeness } }`,
      {
        input: { name: '孙七', phone: '+86 138 5555 0000', attributes: {} },
      },
    );
    const customer = created.data!.createCustomer;
    expect(customer).toMatchObject({ name: '孙七', phone: '+8613855550000' });
    const lookup = await gql(
      `{ customerLookup(phone: "13855550000") { id tier { code } points identities { type value } } }`,
    );
    expect(lookup.data!.customerLookup).toMatchObject({ id: customer.id, tier: null, points: 0 });
    expect(
      lookup.data!.customerLookup.identities.map((i: { type: string }) => i.type).sort(),
    ).toEqual(['member_no', 'phone']);

    const stale = await gql(
      `mutation($id: ID!) { updateCustomer(id: $id, ifMatch: "\\"${customer.id}.9\\"", input: { name: "x" }) { id } }`,
      { id: customer.id },
    );
    expect(stale.errors![0].extensions.code).toBe('precondition_failed');
    const updated = await gql(
      `mutation($id: ID!) { updateCustomer(id: $id, input: { shoeSize: "41" }) { shoeSize version } }`,
      { id: customer.id },
    );
    expect(updated.data!.updateCustomer).toEqual({ shoeSize: '41', version: 2 });

    const conflict = await gql(
      `mutation { createCustomer(input: { phone: "13855550000" }) { id } }`,
    );
    expect(conflict.errors![0].extensions.code).toBe('identity_conflict');

    const other = (await gql(`mutation { createCustomer(input: { name: "dup" }) { id } }`)).data!
      .createCustomer;
    await gql(
      `mutation($id: ID!) { logInteraction(customerId: $id, input: { type: "visit", summary: "came in" }) { id } }`,
      { id: other.id },
    );
    const merged = await gql(
      `mutation($id: ID!, $src: [String!]!) { mergeCustomers(id: $id, input: { sourceIds: $src }) { id recentInteractions { summary } } }`,
      { id: customer.id, src: [other.id] },
    );
    expect(merged.data!.mergeCustomers.recentInteractions).toEqual([{ summary: 'came in' }]);
    const viaTombstone = await gql(`query($id: ID!) { customer(id: $id) { id } }`, {
      id: other.id,
    });
    expect(viaTombstone.data!.customer.id).toBe(customer.id);

    const followUp = (
      await gql(
        `mutation($id: ID!) { createFollowUp(customerId: $id, input: { reason: "r", dueAt: "2026-12-01T00:00:00Z" }) { id status } }`,
        { id: customer.id },
      )
    ).data!.createFollowUp;
    const done = await gql(
      `mutation($id: ID!) { completeFollowUp(id: $id, input: { outcome: "ok" }) { status } }`,
      { id: followUp.id },
    );
    expect(done.data!.completeFollowUp.status).toBe('done');
    const added = await gql(
      `mutation($id: ID!) { addIdentity(customerId: $id, input: { type: "wechat_openid", namespace: "wx1", value: "o-9" }) { type namespace } }`,
      { id: customer.id },
    );
    expect(added.data!.addIdentity).toEqual({ type: 'wechat_openid', namespace: 'wx1' });
  });

  it('batches nested fields: 50 customers cost a bounded number of queries', async () => {
    const batch = await t.tenant();
    for (let i = 0; i < 50; i++) {
      const id = (
        await gql(
          `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }`,
          {
            input: {
              name: `批量${i}`,
              tags: ['batch'],
              phone: `1370000${String(i).padStart(4, '0')}`,
            },
          },
          batch.auth,
        )
      ).data!.createCustomer.id;
      if (i % 10 === 0)
        await gql(
          `mutation($id: ID!) { createFollowUp(customerId: $id, input: { reason: "r", dueAt: "2026-12-01T00:00:00Z" }) { id } }`,
          { id },
          batch.auth,
        );
    }
    const query = `query($n: Int) { customers(filters: { tag: "batch" }, first: $n) { items { id tier { code } points identities { type } openFollowUps { id } recentInteractions { id } } nextCursor } }`;
    const spy = jest.spyOn(Tx.prototype, 'query');
    const countFor = async (n: number) => {
      spy.mockClear();
      const result = await gql(query, { n }, batch.auth);
      expect(result.errors).toBeUndefined();
      expect(result.data!.customers.items).toHaveLength(n);
      // The audit log flushes on its own timer through the same Tx class; it is not this request's work.
      return spy.mock.calls.filter(([sql]) => !/audit/i.test(String(sql))).length;
    };
    const five = await countFor(5);
    const fifty = await countFor(50);
    spy.mockRestore();
    expect(fifty).toBe(five);
    // Search + other features' view blocks + one query per nested field, whatever the page size.
    expect(fifty).toBeLessThanOrEqual(20);
  });

  it('answers GraphQL errors with the REST codes', async () => {
    const missing = await gql(`{ customer(id: "0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20") { id } }`);
    expect(missing.errors![0].extensions.code).toBe('not_found');
    const invalid = await gql(`mutation { createCustomer(input: { email: "nope" }) { id } }`);
    expect(invalid.errors![0].extensions.code).toBe('validation_failed');
    const readOnly = await t.client(tenant, ['customers:read']);
    const forbidden = await gql(
      `mutation { createCustomer(input: { name: "x" }) { id } }`,
      {},
      readOnly.auth,
    );
    expect(forbidden.errors![0].extensions.code).toBe('forbidden');
  });
});
