import iconv from 'iconv-lite';
import { uuid7 } from '../src/common/uuid7';
import { CustomerIdentityCodec } from '../src/customers/customer-identity-codec';
import { CustomerImportRepository } from '../src/imports/customer-import.repository';
import { ImportWorker } from '../src/imports/import-worker';
import { waitForImport } from './support/import-helpers';
import { TestApp, TenantClient } from './support/test-app';

describe('imports: customers from CSV and NDJSON', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  function upload(
    tenant: TenantClient,
    body: string | Buffer,
    query: Record<string, string> = {},
    type = 'text/csv',
  ) {
    const params = new URLSearchParams({ kind: 'customers', ...query });
    return t.http
      .post(`/v1/imports?${params}`)
      .set('authorization', tenant.auth)
      .set('content-type', type)
      .send(Buffer.isBuffer(body) ? body : Buffer.from(body));
  }

  async function importAndWait(
    tenant: TenantClient,
    body: string | Buffer,
    query: Record<string, string> = {},
    type = 'text/csv',
  ) {
    const response = await upload(tenant, body, query, type).expect(202);
    expect(response.headers.location).toBe(`/v1/imports/${response.body.id}`);
    return waitForImport(t, tenant, response.body.id);
  }

  async function errors(tenant: TenantClient, id: string) {
    return (
      await t.http
        .get(`/v1/imports/${id}/errors?limit=500`)
        .set('authorization', tenant.auth)
        .expect(200)
    ).body.items;
  }

  it('creates customers from a mapped UTF-8 CSV with BOM, merges duplicates and reports bad rows with masked values', async () => {
    const tenant = await t.tenant();
    const mapping = JSON.stringify({
      columns: { 姓名: 'name', 手机: 'phone', 邮箱: 'email', 生日: 'birthday', 标签: 'tags' },
    });
    const csv =
      '\ufeff姓名,手机,邮箱,生日,标签\n' +
      '张三,138 0013 8000,zhang@example.com,1990/1/5,vip\n' +
      '李四,13800138001,,19850105,\n' +
      ',+86 13800138000,,,new\n' + // duplicate of line 2 by phone: fills nothing, adds a tag
      '王五,12345,wang@example,1990-01-05,\n' + // invalid phone and e-mail
      '赵六,13800138002,,05/01/1990,\n' + // ambiguous date
      '"=HYPERLINK(""http://evil"")",13800138003,,,\n';
    const done = await importAndWait(tenant, csv, { mapping });
    expect(done).toMatchObject({
      status: 'completed',
      totalRows: 6,
      processed: 6,
      created: 3,
      failed: 2,
      skipped: 1,
      percent: 100,
      charset: 'utf-8',
    });
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(3);

    const list = await errors(tenant, done.id);
    expect(list.map((e: any) => [e.line, e.column, e.code])).toEqual([
      [5, '手机', 'invalid_phone'],
      [5, '邮箱', 'invalid_email'],
      [6, '生日', 'invalid_date'],
    ]);
    expect(list[0].value).toBe('1***5');
    expect(list[1].value).not.toContain('wang@');

    const found = await t.http
      .get('/v1/customers/lookup?phone=13800138000')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(found.body).toMatchObject({ name: '张三', tags: ['vip', 'new'] });
    const formula = await t.http
      .get('/v1/customers/lookup?phone=13800138003')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(formula.body.name).toBe('=HYPERLINK("http://evil")');
  });

  it('fills blanks of existing customers and never overwrites with empty or different values', async () => {
    const tenant = await t.tenant();
    const created = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ name: '老客户', phone: '13900139000' })
      .expect(201);
    const csv =
      'name,phone,email,gender\n,13900139000,old@example.com,女\n另一个名字,13900139000,,\n';
    const done = await importAndWait(tenant, csv);
    expect(done).toMatchObject({ created: 0, updated: 1, skipped: 1, failed: 0 });
    const after = await t.http
      .get(`/v1/customers/${created.body.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(after.body).toMatchObject({ name: '老客户', gender: 'female' });
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(1);
    expect(
      await t.count('customer_identities', "tenant_id = $1 AND type = 'email'", [tenant.tenantId]),
    ).toBe(1);
  });

  it('matches a stored customer in a batch that follows batches of only new people', async () => {
    const tenant = await t.tenant();
    const stored = await t.http
      .post('/v1/customers')
      .set('authorization', tenant.auth)
      .send({ name: '老客户', phone: '13900139111' })
      .expect(201);
    const worker = t.app.get(ImportWorker);
    worker.batchSize = 3;
    try {
      // Batch 1: new people; batch 2: the stored phone among new ones; batch 3: new again.
      const rows = ['新甲,13900139001,', '新乙,13900139002,', '新丙,13900139003,'];
      rows.push(',13900139111,old@example.com', '新丁,13900139004,', '新戊,13900139005,');
      rows.push('新己,13900139006,', '新庚,13900139007,', '新辛,13900139008,');
      const done = await importAndWait(tenant, `name,phone,email\n${rows.join('\n')}\n`);
      expect(done).toMatchObject({ processed: 9, created: 8, updated: 1, failed: 0 });
    } finally {
      worker.batchSize = 5000;
    }
    const after = await t.http
      .get(`/v1/customers/${stored.body.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(after.body).toMatchObject({ name: '老客户', email: 'old@example.com' });
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(9);
    // Every identity belongs to a stored customer: nothing of the undone first attempt is left.
    expect(await t.count('customer_identities', 'tenant_id = $1', [tenant.tenantId])).toBe(19);
    expect(
      await t.count(
        'customer_identities i',
        'i.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = i.tenant_id AND c.id = i.customer_id)',
        [tenant.tenantId],
      ),
    ).toBe(0);
  });

  it('reads GB18030 declared or sniffed, and refuses bytes that are not the declared charset without writing anything', async () => {
    const tenant = await t.tenant();
    const gb = iconv.encode('姓名,手机\n陈七,13700137000\n', 'gb18030');
    const declared = await importAndWait(tenant, gb, {
      charset: 'gbk',
      mapping: JSON.stringify({ columns: { 姓名: 'name', 手机: 'phone' } }),
    });
    expect(declared).toMatchObject({ created: 1, charset: 'gb18030' });
    const sniffed = await importAndWait(
      tenant,
      iconv.encode('name,phone\n周八,13700137001\n', 'gb18030'),
    );
    expect(sniffed).toMatchObject({ created: 1, charset: 'gb18030' });
    const lookup = await t.http
      .get('/v1/customers/lookup?phone=13700137001')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(lookup.body.name).toBe('周八');

    const wrong = await upload(tenant, iconv.encode('name,phone\n吴九,13700137002\n', 'gb18030'), {
      charset: 'utf-8',
    }).expect(415);
    expect(wrong.body.errors[0]).toMatchObject({ field: 'charset', code: 'invalid_charset' });
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(2);
    expect(await t.count('import_rows', 'tenant_id = $1', [tenant.tenantId])).toBe(0);
  });

  it('reports ragged rows, unterminated quotes and a 10 MB line per line and keeps going', async () => {
    const tenant = await t.tenant();
    const long = 'x'.repeat(10 * 1024 * 1024);
    const csv = `name,phone\n甲,13600136000\n乙,13600136001,extra\n丙,${long}\n丁,13600136002\n"戊,13600136003\n`;
    const done = await importAndWait(tenant, csv);
    expect(done).toMatchObject({ status: 'completed', created: 2 });
    const codes = (await errors(tenant, done.id)).map((e: any) => [e.line, e.code]);
    expect(codes).toEqual(
      expect.arrayContaining([
        [3, 'ragged_row'],
        [6, 'unterminated_quote'],
      ]),
    );
    expect(codes).toContainEqual([4, 'record_too_long']);
    expect(codes).toHaveLength(3);
  });

  it('refuses an empty file, an unknown mapping target and a mapped column the file lacks with 422', async () => {
    const tenant = await t.tenant();
    const empty = await upload(tenant, '').expect(422);
    expect(empty.body.errors[0].code).toBe('empty_file');
    const headerOnly = await upload(tenant, 'name,phone\n').expect(422);
    expect(headerOnly.body.errors[0].code).toBe('empty_file');
    const unknown = await upload(tenant, 'a\n1\n', {
      mapping: JSON.stringify({ columns: { a: 'shoeColour' } }),
    }).expect(422);
    expect(unknown.body.errors[0]).toMatchObject({
      field: 'mapping.columns.a',
      code: 'unknown_target',
    });
    const missing = await upload(tenant, 'name\nx\n', {
      mapping: JSON.stringify({ columns: { 手机: 'phone' } }),
    }).expect(422);
    expect(missing.body.errors[0].code).toBe('unknown_column');
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(0);
    expect(await t.count('import_rows', 'tenant_id = $1', [tenant.tenantId])).toBe(0);
  });

  it('imports NDJSON with custom attributes checked against their definitions', async () => {
    const tenant = await t.tenant();
    await t.sql(
      `INSERT INTO attribute_definitions (tenant_id, key, label, type, "group") VALUES ($1, 'hobby', '爱好', 'string', 'soft')`,
      [tenant.tenantId],
    );
    const lines = [
      JSON.stringify({ name: '钱一', phone: '13500135000', 'attr.hobby': '钓鱼' }),
      'not json',
      JSON.stringify({ name: '孙二', email: 'sun@example.com', 'attr.nope': 'x' }),
    ].join('\n');
    const done = await importAndWait(tenant, lines, {}, 'application/x-ndjson');
    expect(done).toMatchObject({ totalRows: 3, failed: 2 });
    const codes = (await errors(tenant, done.id)).map((e: any) => [e.line, e.code]);
    expect(codes).toEqual([
      [2, 'invalid_json'],
      [3, 'unknown_attribute'],
    ]);
    const found = await t.http
      .get('/v1/customers/lookup?phone=13500135000')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(found.body.attributes).toEqual({ hobby: '钓鱼' });
  });

  it('dry run counts without keeping anything', async () => {
    const tenant = await t.tenant();
    const done = await importAndWait(tenant, 'name,phone\n甲,13400134000\n乙,bad\n', {
      dryRun: 'true',
    });
    expect(done).toMatchObject({ status: 'completed', dryRun: true, created: 1, failed: 1 });
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(0);
  });

  it('resumes after a crash mid-batch from the last committed batch without duplicates', async () => {
    const tenant = await t.tenant();
    const worker = t.app.get(ImportWorker);
    worker.batchSize = 10;
    let crashed = false;
    worker.beforeCommit = (_id, batch) => {
      if (batch === 3 && !crashed) {
        crashed = true;
        throw new Error('simulated crash');
      }
    };
    const rows = Array.from(
      { length: 45 },
      (_, i) => `客户${i},1330013${String(3000 + i).padStart(4, '0')}`,
    );
    // Every tenth row repeats an earlier phone: in-file duplicates across batches.
    for (let i = 0; i < 45; i += 10) rows.push(`,1330013${String(3000 + i).padStart(4, '0')}`);
    const response = await upload(tenant, `name,phone\n${rows.join('\n')}\n`).expect(202);
    let state = await t.http
      .get(`/v1/imports/${response.body.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    for (let i = 0; i < 100 && !crashed; i++) await new Promise((r) => setTimeout(r, 20));
    state = await t.http
      .get(`/v1/imports/${response.body.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(state.body).toMatchObject({ status: 'processing', processed: 20 });
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(20);

    worker.beforeCommit = undefined;
    await worker.resumePending();
    const done = await waitForImport(t, tenant, response.body.id);
    expect(done).toMatchObject({
      status: 'completed',
      processed: 50,
      created: 45,
      skipped: 5,
      failed: 0,
    });
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(45);
    expect(
      await t.count('customer_identities', "tenant_id = $1 AND type = 'phone'", [tenant.tenantId]),
    ).toBe(45);
    worker.batchSize = 2000;
  });
  it('stores the rest of a batch when a new row collides with a member number or identity stored meanwhile', async () => {
    // The batch inserts without ON CONFLICT first; a unique violation (a writer got there
    // between the look-up and the insert) must end exactly as ON CONFLICT DO NOTHING would.
    const tenant = await t.tenant();
    const existing = (
      await t.http
        .post('/v1/customers')
        .set('authorization', tenant.auth)
        .send({ name: '先来', phone: '13900139000' })
        .expect(201)
    ).body;
    const repository = t.app.get(CustomerImportRepository);
    const codec = t.app.get(CustomerIdentityCodec);
    const now = new Date();
    const [taken, fresh] = [uuid7(), uuid7()];
    await t.database.withTenant(tenant.tenantId, async (tx) => {
      const inserted = await repository.insertCustomers(
        tx,
        [
          { id: taken, member_no: existing.memberNo, name: '撞号' },
          { id: fresh, member_no: 'IMPORT-FRESH-1', name: '新人' },
        ],
        now,
      );
      expect([...inserted]).toEqual([fresh]);
      const identity = (type: string, value: string) => ({
        id: uuid7(),
        customer_id: fresh,
        type,
        namespace: '',
        value_enc: `enc:${value}`,
        value_bidx: codec.bidx(type, value),
      });
      await repository.insertIdentities(
        tx,
        [identity('phone', '+8613900139000'), identity('email', 'fresh@example.com')],
        now,
        true,
      );
    });
    const holders = await t.sql<{ customer_id: string; type: string }>(
      `SELECT customer_id, type FROM customer_identities WHERE tenant_id = $1 AND type IN ('phone', 'email') ORDER BY type`,
      [tenant.tenantId],
    );
    expect(holders).toEqual([
      { customer_id: fresh, type: 'email' },
      { customer_id: existing.id, type: 'phone' },
    ]);
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(2);
  });
});
