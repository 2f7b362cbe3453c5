import { TestApp, TenantClient } from '../support/test-app';

describe('customers: merge patch, ETags, identities, archive, attributes', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  const create = async (body: Record<string, unknown>) =>
    (await t.http.post('/v1/customers').set('authorization', tenant.auth).send(body).expect(201))
      .body;
  const patch = (id: string) =>
    t.http.patch(`/v1/customers/${id}`).set('authorization', tenant.auth);

  it('applies a JSON merge patch: set, clear with null, merge address and attributes, bump the ETag', async () => {
    await t.http
      .post('/v1/attribute-definitions')
      .set('authorization', tenant.auth)
      .send({ key: 'work', label: 'Work', type: 'string', group: 'soft' })
      .expect(201);
    await t.http
      .post('/v1/attribute-definitions')
      .set('authorization', tenant.auth)
      .send({ key: 'pets', label: 'Pets', type: 'number', group: 'soft' })
      .expect(201);
    const customer = await create({
      name: '赵六',
      clothingSize: 'M',
      address: { city: '杭州市', line: '西湖路 1 号' },
      attributes: { work: 'teacher' },
    });
    const read = await t.http
      .get(`/v1/customers/${customer.id}`)
      .set('authorization', tenant.auth)
      .expect(200);

    const response = await patch(customer.id)
      .set('content-type', 'application/merge-patch+json')
      .set('if-match', read.headers.etag)
      .send(
        JSON.stringify({
          clothingSize: null,
          shoeSize: '38',
          address: { postcode: '310000' },
          attributes: { pets: 2 },
        }),
      )
      .expect(200);
    expect(response.headers.etag).toBe(`"${customer.id}.2"`);
    expect(response.body).toMatchObject({
      clothingSize: null,
      shoeSize: '38',
      name: '赵六',
      address: { city: '杭州市', postcode: '310000', line: '西湖路 1 号' },
      attributes: { work: 'teacher', pets: 2 },
    });
    const cleared = await patch(customer.id)
      .send({ attributes: { work: null } })
      .expect(200);
    expect(cleared.body.attributes).toEqual({ pets: 2 });
    expect(cleared.body.completeness).toBeLessThan(response.body.completeness);
    expect(
      await t.count('events', 'customer_id = $1 AND type = $2', [customer.id, 'customer.updated']),
    ).toBe(2);
  });

  it('refuses a stale If-Match with 412 and changes nothing', async () => {
    const customer = await create({ name: 'Stale' });
    await patch(customer.id).send({ name: 'First' }).expect(200);
    const stale = await patch(customer.id)
      .set('if-match', `"${customer.id}.1"`)
      .send({ name: 'Second' })
      .expect(412);
    expect(stale.body.code).toBe('precondition_failed');
    const [row] = await t.sql<{ name: string; version: number }>(
      'SELECT name, version FROM customers WHERE id = $1',
      [customer.id],
    );
    expect(row).toEqual({ name: 'First', version: 2 });
  });

  it('validates attributes against their definitions, naming the attribute, and writes nothing', async () => {
    await t.http
      .post('/v1/attribute-definitions')
      .set('authorization', tenant.auth)
      .send({
        key: 'style',
        label: 'Style',
        type: 'enum',
        options: ['minimal', 'classic'],
        group: 'soft',
        weight: 2,
      })
      .expect(201);
    const customer = await create({ name: 'Attr' });
    const before = await t.sql('SELECT version, attributes FROM customers WHERE id = $1', [
      customer.id,
    ]);
    for (const [attributes, code] of [
      [{ style: 'punk' }, 'not_allowed'],
      [{ style: 3 }, 'wrong_type'],
      [{ hobby: 'x' }, 'unknown_attribute'],
    ] as const) {
      const response = await patch(customer.id).send({ attributes }).expect(422);
      expect(response.body.errors[0]).toMatchObject({
        field: `attributes.${Object.keys(attributes)[0]}`,
        code,
      });
    }
    expect(
      await t.sql('SELECT version, attributes FROM customers WHERE id = $1', [customer.id]),
    ).toEqual(before);
    const dup = await t.http
      .post('/v1/attribute-definitions')
      .set('authorization', tenant.auth)
      .send({ key: 'style', label: 'Again', type: 'string', group: 'soft' })
      .expect(409);
    expect(dup.body.code).toBe('conflict');
    const noOptions = await t.http
      .post('/v1/attribute-definitions')
      .set('authorization', tenant.auth)
      .send({ key: 'mood', label: 'Mood', type: 'enum', group: 'soft' })
      .expect(422);
    expect(noOptions.body.errors[0].field).toBe('options');
    const list = await t.http
      .get('/v1/attribute-definitions')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(list.body.map((d: { key: string }) => d.key)).toEqual(['pets', 'style', 'work']);
  });

  it('moves the phone identity when the phone changes, and refuses one another customer holds', async () => {
    const a = await create({ phone: '13811110000' });
    const b = await create({ phone: '13822220000' });
    await patch(a.id).send({ phone: '138 3333 0000' }).expect(200);
    await t.http
      .get('/v1/customers/lookup?phone=13811110000')
      .set('authorization', tenant.auth)
      .expect(404);
    expect(
      (
        await t.http
          .get('/v1/customers/lookup?phone=13833330000')
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.id,
    ).toBe(a.id);
    const before = await t.sql('SELECT version, phone_bidx FROM customers WHERE id = $1', [a.id]);
    const conflict = await patch(a.id).send({ phone: '+8613822220000' }).expect(409);
    expect(conflict.body).toMatchObject({ code: 'identity_conflict', holder: { id: b.id } });
    expect(await t.sql('SELECT version, phone_bidx FROM customers WHERE id = $1', [a.id])).toEqual(
      before,
    );
    expect(
      (
        await t.http
          .get('/v1/customers/lookup?phone=13833330000')
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.id,
    ).toBe(a.id);
  });

  it('adds and removes identities; a held identity is a 409 naming the holder', async () => {
    const a = await create({ name: 'Ids A' });
    const b = await create({ name: 'Ids B' });
    const added = await t.http
      .post(`/v1/customers/${a.id}/identities`)
      .set('authorization', tenant.auth)
      .send({ type: 'wechat_unionid', namespace: 'open', value: 'u-1' })
      .expect(201);
    await t.http
      .post(`/v1/customers/${a.id}/identities`)
      .set('authorization', tenant.auth)
      .send({ type: 'wechat_unionid', namespace: 'open', value: 'u-1' })
      .expect(200);
    expect(
      await t.count('events', 'customer_id = $1 AND type = $2', [a.id, 'identity.added']),
    ).toBe(1);
    // unionids merge automatically under the default match rules (test/identity); an openid does not.
    await t.http
      .post(`/v1/customers/${a.id}/identities`)
      .set('authorization', tenant.auth)
      .send({ type: 'wechat_openid', namespace: 'wxoa', value: 'o-1' })
      .expect(201);
    const count = await t.count('customer_identities', 'tenant_id = $1', [tenant.tenantId]);
    const conflict = await t.http
      .post(`/v1/customers/${b.id}/identities`)
      .set('authorization', tenant.auth)
      .send({ type: 'wechat_openid', namespace: 'wxoa', value: 'o-1' })
      .expect(409);
    expect(conflict.body).toMatchObject({
      code: 'identity_conflict',
      holder: { id: a.id, memberNo: a.memberNo },
    });
    expect(await t.count('customer_identities', 'tenant_id = $1', [tenant.tenantId])).toBe(count);

    const ids = await t.http
      .get(`/v1/customers/${a.id}/identities`)
      .set('authorization', tenant.auth)
      .expect(200);
    const memberNoId = ids.body.find((i: { type: string }) => i.type === 'member_no').id;
    expect(
      (
        await t.http
          .delete(`/v1/customers/${a.id}/identities/${memberNoId}`)
          .set('authorization', tenant.auth)
          .expect(409)
      ).body.code,
    ).toBe('conflict');
    await t.http
      .delete(`/v1/customers/${a.id}/identities/${added.body.id}`)
      .set('authorization', tenant.auth)
      .expect(204);
    await t.http
      .get('/v1/customers/lookup?identity=wechat_unionid:open:u-1')
      .set('authorization', tenant.auth)
      .expect(404);
  });

  it('archives: still readable, gone from look-up, identities free, archived event; no more patches', async () => {
    const customer = await create({ phone: '13844440000' });
    await t.http
      .delete(`/v1/customers/${customer.id}`)
      .set('authorization', tenant.auth)
      .expect(204);
    await t.http
      .delete(`/v1/customers/${customer.id}`)
      .set('authorization', tenant.auth)
      .expect(204);
    expect(
      (
        await t.http
          .get(`/v1/customers/${customer.id}`)
          .set('authorization', tenant.auth)
          .expect(200)
      ).body.status,
    ).toBe('archived');
    await t.http
      .get('/v1/customers/lookup?phone=13844440000')
      .set('authorization', tenant.auth)
      .expect(404);
    expect(
      await t.count('events', 'customer_id = $1 AND type = $2', [customer.id, 'customer.archived']),
    ).toBe(1);
    expect((await patch(customer.id).send({ name: 'x' }).expect(409)).body.code).toBe(
      'invalid_transition',
    );
    await create({ phone: '13844440000' });
  });
});
