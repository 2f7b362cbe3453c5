import { Clock } from '../../src/common/clock';
import { Tx } from '../../src/database/tx';
import { TestApp, TenantClient } from '../support/test-app';

describe('customers: search', () => {
  let t: TestApp;
  let tenant: TenantClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    const clock = t.app.get(Clock);
    const people: [string, Record<string, unknown>, string][] = [
      [
        'zhangsan',
        { name: '张三', phone: '13800138000', tags: ['vip'], storeId: 's1', registeredBy: 'amy' },
        '2026-01-10T00:00:00Z',
      ],
      [
        'zhangsanfeng',
        { name: '张三丰', phone: '13900008000', storeId: 's2' },
        '2026-02-10T00:00:00Z',
      ],
      [
        'lisi',
        { name: '李四', email: 'li.si@example.com', tags: ['vip'], storeId: 's1' },
        '2026-03-10T00:00:00Z',
      ],
      [
        'wei',
        { name: 'Zhang Wei', phone: '13700137001', storeId: 's1', registeredBy: 'amy' },
        '2026-04-10T00:00:00Z',
      ],
    ];
    for (const [key, body, at] of people) {
      clock.set(at);
      ids[key] = (
        await t.http.post('/v1/customers').set('authorization', tenant.auth).send(body).expect(201)
      ).body.id;
    }
    clock.reset();
  });
  afterAll(() => t.close());

  const search = async (query: Record<string, string | number>, auth = tenant.auth) =>
    (await t.http.get('/v1/customers').query(query).set('authorization', auth).expect(200))
      .body as { items: { id: string }[]; nextCursor: string | null };
  const found = async (query: Record<string, string | number>) =>
    (await search(query)).items.map((c) => c.id);

  it('matches pinyin initials, full pinyin and name substrings', async () => {
    expect(await found({ q: 'zs' })).toEqual([ids.zhangsanfeng, ids.zhangsan]);
    expect(await found({ q: 'zhangsan' })).toEqual([ids.zhangsanfeng, ids.zhangsan]);
    expect(await found({ q: 'zsf' })).toEqual([ids.zhangsanfeng]);
    expect(await found({ q: '三' })).toEqual([ids.zhangsanfeng, ids.zhangsan]);
    expect(await found({ q: 'ang w' })).toEqual([ids.wei]);
    expect(await found({ q: '王' })).toEqual([]);
  });

  it('matches the phone tail, a full phone, an e-mail and a member number', async () => {
    expect(await found({ q: '8000' })).toEqual([ids.zhangsanfeng, ids.zhangsan]);
    expect(await found({ q: '+86 138 0013 8000' })).toEqual([ids.zhangsan]);
    expect(await found({ q: 'LI.SI@example.com' })).toEqual([ids.lisi]);
    const [row] = await t.sql<{ member_no: string }>(
      'SELECT member_no FROM customers WHERE id = $1',
      [ids.lisi],
    );
    expect(await found({ q: row.member_no })).toEqual([ids.lisi]);
  });

  it('filters by tag, store, registering staff and creation date, and pages with a cursor', async () => {
    expect(await found({ tag: 'vip' })).toEqual([ids.lisi, ids.zhangsan]);
    expect(await found({ storeId: 's1', registeredBy: 'amy' })).toEqual([ids.wei, ids.zhangsan]);
    expect(
      await found({ createdFrom: '2026-02-01T00:00:00Z', createdTo: '2026-04-01T00:00:00Z' }),
    ).toEqual([ids.lisi, ids.zhangsanfeng]);
    const page1 = await search({ limit: 3 });
    expect(page1.items.map((c) => c.id)).toEqual([ids.wei, ids.lisi, ids.zhangsanfeng]);
    const page2 = await search({ limit: 3, cursor: page1.nextCursor! });
    expect(page2.items.map((c) => c.id)).toEqual([ids.zhangsan]);
    expect(page2.nextCursor).toBeNull();
    await t.http.get('/v1/customers?cursor=garbage').set('authorization', tenant.auth).expect(422);
    await t.http.get('/v1/customers?limit=501').set('authorization', tenant.auth).expect(422);
  });

  it('finds Chinese names by any one or two characters, in order, and only in the own tenant', async () => {
    const other = await t.tenant();
    const create = async (name: string) =>
      (
        await t.http
          .post('/v1/customers')
          .set('authorization', other.auth)
          .send({ name })
          .expect(201)
      ).body.id as string;
    const ouyang = await create('欧阳娜娜');
    const zhang = await create('张三');
    const inOther = async (q: string) => (await search({ q }, other.auth)).items.map((c) => c.id);
    expect(await inOther('阳娜')).toEqual([ouyang]); // middle of the name
    expect(await inOther('娜')).toEqual([ouyang]);
    expect(await inOther('娜阳')).toEqual([]); // both characters, not in this order
    expect(await inOther('欧阳娜娜')).toEqual([ouyang]);
    expect(await inOther('三')).toEqual([zhang]); // not the first tenant's 张三 / 张三丰
    expect(await found({ q: '三' })).toEqual([ids.zhangsanfeng, ids.zhangsan]);
  });

  it('answers a page in two statements, view blocks included, whatever the page size', async () => {
    await search({ q: 'zs' }); // tenant settings cached
    const spies = [jest.spyOn(Tx.prototype, 'query'), jest.spyOn(Tx.prototype, 'prepared')];
    const statements = async (query: Record<string, string | number>) => {
      spies.forEach((spy) => spy.mockClear());
      const found = (await search(query)).items.length;
      // The audit log flushes on its own timer through the same Tx class; not this request's work.
      const count = spies
        .flatMap((spy) => spy.mock.calls)
        .filter(([sql]) => !/audit/i.test(String(sql))).length;
      return { found, count };
    };
    const one = await statements({ q: 'zsf' });
    const all = await statements({ q: 'zs' });
    const none = await statements({ q: 'nobody' });
    spies.forEach((spy) => spy.mockRestore());
    expect([one.found, all.found, none.found]).toEqual([1, 2, 0]);
    // The ids, then the rows with stats, rfm and consents as columns (the loyalty program's
    // currency would be read only when someone on the page has bought); no rows, no second.
    expect([one.count, all.count, none.count]).toEqual([2, 2, 1]);
  });

  it('shows on each item the same view blocks (stats, rfm, consents) as the record', async () => {
    const other = await t.tenant();
    const as = (request: import('supertest').Test) => request.set('authorization', other.auth);
    const create = async (name: string) =>
      (await as(t.http.post('/v1/customers')).send({ name }).expect(201)).body.id as string;
    const buyer = await create('赵六');
    const quiet = await create('赵七');
    await as(t.http.post('/v1/transactions'))
      .send({
        source: 'pos-1',
        externalId: 'R-search-1',
        type: 'sale',
        occurredAt: new Date().toISOString(),
        storeId: 'store-001',
        customer: { id: buyer },
        currency: 'CNY',
        total: '88.00',
        items: [
          {
            sku: 'SKU-1',
            name: 'Shirt',
            category: 'shirts',
            quantity: 1,
            unitPrice: '88.00',
            amount: '88.00',
          },
        ],
      })
      .expect(201);
    const consent = (purpose: string, channel?: string) => ({
      purpose,
      ...(channel ? { channel } : {}),
      status: 'granted',
      source: 'eshop-signup',
      evidence: { method: 'checkbox_in_app', noticeVersion: 'privacy-2026-10' },
    });
    await as(t.http.post(`/v1/customers/${buyer}/consents`))
      .send(consent('marketing', 'sms'))
      .expect(201);
    await as(t.http.post(`/v1/customers/${buyer}/consents`))
      .send(consent('analytics'))
      .expect(201);
    await t.sql(
      `INSERT INTO privacy_restrictions (tenant_id, customer_id, request_id) VALUES ($1, $2, $2)`,
      [other.tenantId, buyer],
    );
    await as(t.http.post('/v1/segments/rfm/recompute')).send({}).expect(200);

    const page = (await as(t.http.get('/v1/customers').query({ q: '赵' })).expect(200)).body as {
      items: Record<string, unknown>[];
    };
    expect(page.items.map((c) => c.id)).toEqual([quiet, buyer]);
    const record = async (id: string) =>
      (await as(t.http.get(`/v1/customers/${id}`)).expect(200)).body as Record<string, unknown>;
    const [quietItem, buyerItem] = page.items;
    expect(buyerItem).toEqual(await record(buyer));
    expect(quietItem).toEqual(await record(quiet));
    expect(buyerItem).toMatchObject({
      stats: { purchaseCount: 1, totalSpent: '88.00', favouriteCategory: 'shirts' },
      rfm: { segment: expect.any(String) },
      consents: { marketing: { sms: true }, analytics: true, restricted: true },
    });
    expect(quietItem.consents).toEqual({ restricted: false });
    expect(quietItem).not.toHaveProperty('stats');
  });

  it('shows store staff only their store, masked', async () => {
    const staff = await t.staff(tenant, 'staff', { storeId: 's2' });
    const page = await search({ q: 'zs' }, staff.auth);
    expect(page.items.map((c) => c.id)).toEqual([ids.zhangsanfeng]);
    expect(page.items[0]).toMatchObject({ phone: '139****8000', piiMasked: true });
  });
});
