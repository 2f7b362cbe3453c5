import { AuditService } from '../../src/privacy/audit/audit.service';
import { sale } from '../support/loyalty-helpers';
import { TestApp, TenantClient } from '../support/test-app';

const evidence = {
  method: 'checkbox_in_app',
  noticeVersion: 'privacy-2026-10',
  capturedBy: 'store-1/pos-2',
  ip: '203.0.113.7',
};
const consent = (status: 'granted' | 'withdrawn') => ({
  purpose: 'marketing',
  channel: 'sms',
  status,
  source: 'eshop-signup',
  evidence,
});

describe('identity: merge preview, recorded merges and undo', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const auth = () => tenant.auth;
  const create = async (body: Record<string, unknown>) =>
    (await t.http.post('/v1/customers').set('authorization', auth()).send(body).expect(201)).body;
  const merge = (id: string, sourceIds: string[], reason?: string) =>
    t.http
      .post(`/v1/customers/${id}/merge`)
      .set('authorization', auth())
      .send({ sourceIds, ...(reason ? { reason } : {}) });
  const undo = (mergeId: string) =>
    t.http.post(`/v1/merges/${mergeId}/undo`).set('authorization', auth());
  const merges = async (id: string) =>
    (await t.http.get(`/v1/customers/${id}/merges`).set('authorization', auth()).expect(200)).body
      .items;
  const state = async () => ({
    customers: await t.sql(
      'SELECT id, status, merged_into, version FROM customers WHERE tenant_id = $1 ORDER BY id',
      [tenant.tenantId],
    ),
    identities: await t.sql(
      'SELECT id, customer_id FROM customer_identities WHERE tenant_id = $1 ORDER BY id',
      [tenant.tenantId],
    ),
    merges: await t.sql('SELECT id, status FROM customer_merges WHERE tenant_id = $1 ORDER BY id', [
      tenant.tenantId,
    ]),
    events: await t.count('events', 'tenant_id = $1', [tenant.tenantId]),
  });
  const pair = async (tag: string) => {
    const survivor = await create({
      name: `Survivor ${tag}`,
      phone: `1370000${tag}`,
      tags: ['vip'],
    });
    const source = await create({
      name: `Source ${tag}`,
      email: `source.${tag}@example.com`,
      clothingSize: 'L',
      tags: ['eshop'],
      identities: [{ type: 'wechat_openid', namespace: 'wxmp', value: `o-${tag}` }],
    });
    await t.http
      .post(`/v1/customers/${survivor.id}/consents`)
      .set('authorization', auth())
      .send(consent('granted'))
      .expect(201);
    await t.http
      .post(`/v1/customers/${source.id}/consents`)
      .set('authorization', auth())
      .send(consent('withdrawn'))
      .expect(201);
    await t.http
      .post('/v1/transactions')
      .set('authorization', auth())
      .send(sale(source.id, '100.00'))
      .expect(201);
    await t.http
      .post(`/v1/customers/${source.id}/interactions`)
      .set('authorization', auth())
      .send({ type: 'note', summary: 'prefers linen' })
      .expect(201);
    return {
      survivor,
      source: (
        await t.http.get(`/v1/customers/${source.id}`).set('authorization', auth()).expect(200)
      ).body,
    };
  };

  it('previews a merge without writing: result, per-field winners, most restrictive consent, tier and points', async () => {
    const { survivor, source } = await pair('1001');
    const before = await state();
    const response = await t.http
      .post('/v1/customers/merge/preview')
      .set('authorization', auth())
      .send({ survivorId: survivor.id, sourceIds: [source.id] })
      .expect(200);
    const body = response.body;
    expect(body.result).toMatchObject({
      id: survivor.id,
      name: 'Survivor 1001',
      email: 'source.1001@example.com',
      clothingSize: 'L',
    });
    const field = (name: string) => body.fields.find((f: { field: string }) => f.field === name);
    expect(field('name')).toMatchObject({
      winner: survivor.id,
      conflict: true,
      result: 'Survivor 1001',
    });
    expect(field('email')).toMatchObject({ winner: source.id, conflict: false });
    expect(field('tags')).toMatchObject({ winner: null, conflict: true });
    expect(body.consents.marketing.sms).toBe(false);
    expect(body.loyalty.points).toBe(source.points + survivor.points);
    expect(body.movingIdentities).toEqual(
      expect.arrayContaining(['wechat_openid (wxmp)', 'email', 'member_no']),
    );
    expect(await state()).toEqual(before);
  });

  it('refuses a bad preview with 422 per field and writes nothing', async () => {
    const { survivor } = await pair('1002');
    const before = await state();
    const self = await t.http
      .post('/v1/customers/merge/preview')
      .set('authorization', auth())
      .send({ survivorId: survivor.id, sourceIds: [survivor.id] })
      .expect(422);
    expect(self.body.errors[0]).toMatchObject({ field: 'sourceIds[0]', code: 'same_as_target' });
    const unknown = await t.http
      .post('/v1/customers/merge/preview')
      .set('authorization', auth())
      .send({ survivorId: survivor.id, sourceIds: ['0192f0c1-8c00-7c4e-9a51-3d2f8e6b1a22'] })
      .expect(422);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'sourceIds[0]', code: 'not_found' });
    expect(await state()).toEqual(before);
  });

  it('records merges with actor and reason, and undo restores the source with its own rows; post-merge changes stay on the survivor', async () => {
    const { survivor, source } = await pair('1003');
    await merge(survivor.id, [source.id], 'same person at the till').expect(200);
    const [recorded] = await merges(survivor.id);
    expect(recorded).toMatchObject({
      survivorId: survivor.id,
      sourceIds: [source.id],
      status: 'applied',
      actorKind: 'client',
      reason: 'same person at the till',
      rule: null,
    });
    expect((await merges(source.id))[0].id).toBe(recorded.id);

    // After the merge: a sale and a tag on the survivor, a rename.
    await t.http
      .post('/v1/transactions')
      .set('authorization', auth())
      .send(sale(survivor.id, '50.00'))
      .expect(201);
    await t.http
      .patch(`/v1/customers/${survivor.id}`)
      .set('authorization', auth())
      .send({ name: 'Renamed After Merge' })
      .expect(200);

    const undone = await undo(recorded.id).expect(200);
    expect(undone.body).toMatchObject({ id: recorded.id, status: 'undone' });
    expect(undone.body.restoredFields).toEqual(
      expect.arrayContaining(['email_enc', 'clothing_size']),
    );

    const back = (
      await t.http.get(`/v1/customers/${source.id}`).set('authorization', auth()).expect(200)
    ).body;
    expect(back).toMatchObject({
      id: source.id,
      status: 'active',
      name: 'Source 1003',
      email: 'source.1003@example.com',
      clothingSize: 'L',
      tags: ['eshop'],
      points: source.points,
    });
    for (const query of [
      'email=source.1003@example.com',
      'identity=wechat_openid:wxmp:o-1003',
      `memberNo=${source.memberNo}`,
    ]) {
      expect(
        (await t.http.get(`/v1/customers/lookup?${query}`).set('authorization', auth()).expect(200))
          .body.id,
      ).toBe(source.id);
    }
    const kept = (
      await t.http.get(`/v1/customers/${survivor.id}`).set('authorization', auth()).expect(200)
    ).body;
    expect(kept).toMatchObject({
      name: 'Renamed After Merge',
      email: null,
      clothingSize: null,
      tags: ['vip'],
    });
    expect(await t.count('transactions', 'customer_id = $1', [source.id])).toBe(1);
    expect(await t.count('transactions', 'customer_id = $1', [survivor.id])).toBe(1);
    expect(await t.count('points_ledger', 'customer_id = $1', [source.id])).toBeGreaterThan(0);
    expect(await t.count('customer_interactions', 'customer_id = $1', [source.id])).toBe(1);
    const consents = await t.sql<{ status: string }>(
      'SELECT status FROM consent_state WHERE customer_id = $1',
      [source.id],
    );
    expect(consents).toEqual([expect.objectContaining({ status: 'withdrawn' })]);
    const [balances] = await t.sql<{ bad: number }>(
      `SELECT count(*)::int AS bad FROM customers c WHERE c.tenant_id = $1 AND c.points_balance <> (SELECT coalesce(sum(points), 0) FROM points_ledger l WHERE l.tenant_id = c.tenant_id AND l.customer_id = c.id)`,
      [tenant.tenantId],
    );
    expect(balances.bad).toBe(0);
    expect(
      await t.count('events', 'tenant_id = $1 AND type = $2 AND customer_id = $3', [
        tenant.tenantId,
        'customer.unmerged',
        survivor.id,
      ]),
    ).toBe(1);
    await t.app.get(AuditService).flush();
    expect(
      await t.count('audit_log', 'tenant_id = $1 AND action = $2 AND $3 = ANY(customer_ids)', [
        tenant.tenantId,
        'customer.unmerge',
        source.id,
      ]),
    ).toBe(1);

    // Undo of an undone merge: 409, nothing written.
    const before = await state();
    const again = await undo(recorded.id).expect(409);
    expect(again.body).toMatchObject({
      code: 'invalid_transition',
      reason: 'merge_already_undone',
    });
    expect(await state()).toEqual(before);
    await undo('0192f0c1-8c00-7c4e-9a51-3d2f8e6b1a22').expect(404);
  });

  it('chains: a merge of an already-merged customer is undone first, then the earlier one', async () => {
    const a = await create({ name: 'Chain A', phone: '13700002001' });
    const b = await create({ name: 'Chain B', email: 'chain.b@example.com' });
    const z = await create({ name: 'Chain Z', phone: '13700002003' });
    await merge(a.id, [b.id]).expect(200);
    await merge(z.id, [a.id]).expect(200);
    expect(
      (await t.http.get(`/v1/customers/${b.id}`).set('authorization', auth()).expect(308)).headers
        .location,
    ).toBe(`/v1/customers/${z.id}`);
    const [first] = await merges(b.id);
    const [second] = await merges(z.id);

    const before = await state();
    const refused = await undo(first.id).expect(409);
    expect(refused.body).toMatchObject({
      code: 'conflict',
      reason: 'survivor_merged',
      laterMergeId: second.id,
    });
    expect(await state()).toEqual(before);

    await undo(second.id).expect(200);
    expect(
      (
        await t.http
          .get('/v1/customers/lookup?email=chain.b@example.com')
          .set('authorization', auth())
          .expect(200)
      ).body.id,
    ).toBe(a.id);
    expect(
      (await t.http.get(`/v1/customers/${b.id}`).set('authorization', auth()).expect(308)).headers
        .location,
    ).toBe(`/v1/customers/${a.id}`);
    await undo(first.id).expect(200);
    expect(
      (
        await t.http
          .get('/v1/customers/lookup?email=chain.b@example.com')
          .set('authorization', auth())
          .expect(200)
      ).body.id,
    ).toBe(b.id);
    expect(
      (await t.http.get(`/v1/customers/${z.id}`).set('authorization', auth()).expect(200)).body
        .phone,
    ).toBe('+8613700002003');
  });

  it('refuses to undo once a customer in the merge was erased (409 customer_erased), writing nothing', async () => {
    const { survivor, source } = await pair('1004');
    await merge(survivor.id, [source.id]).expect(200);
    const [recorded] = await merges(survivor.id);
    const admin = await t.staff(tenant, 'admin');
    await t.http
      .post('/v1/privacy/requests')
      .set('authorization', admin.auth)
      .send({ customerId: survivor.id, type: 'erasure' })
      .expect(201);
    const before = await state();
    const refused = await undo(recorded.id).expect(409);
    expect(refused.body).toMatchObject({ code: 'conflict', reason: 'customer_erased' });
    expect(await state()).toEqual(before);
    expect(
      (
        await t.sql<{ snapshot: unknown }>('SELECT snapshot FROM customer_merges WHERE id = $1', [
          recorded.id,
        ])
      )[0].snapshot,
    ).toBeNull();
  });

  it('store staff cannot undo merges', async () => {
    const a = await create({ name: 'Staff A' });
    const b = await create({ name: 'Staff B' });
    await merge(a.id, [b.id]).expect(200);
    const [recorded] = await merges(a.id);
    const staff = await t.staff(tenant, 'staff', { storeId: 'S1' });
    await t.http
      .post(`/v1/merges/${recorded.id}/undo`)
      .set('authorization', staff.auth)
      .expect(403);
    expect(
      (
        await t.sql<{ status: string }>('SELECT status FROM customer_merges WHERE id = $1', [
          recorded.id,
        ])
      )[0].status,
    ).toBe('applied');
  });
});
