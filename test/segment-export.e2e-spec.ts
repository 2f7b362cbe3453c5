import { randomUUID } from 'node:crypto';
import { PiiCrypto } from '../src/common/crypto/pii-crypto.service';
import { AuditService } from '../src/privacy/audit/audit.service';
import { SegmentRefreshService } from '../src/segments/segment-refresh.service';
import { TestApp, TenantClient } from './support/test-app';

describe('segments: export and settings', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let segmentId: string;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RUN_WORKER: 'false' });
    tenant = await t.tenant();
    const pii = t.app.get(PiiCrypto);
    const rows: Array<[string, string, string | null]> = [
      ['M1', '张三, 先生', '+8613800138000'],
      ['M2', '=HYPERLINK("http://evil","点我")', null],
      ['M3', '李"四"', '+8613900139000'],
    ];
    for (const [memberNo, name, phone] of rows) {
      await t.sql(
        `INSERT INTO customers (tenant_id, id, member_no, name, city, tags, phone_enc) VALUES ($1, $2, $3, $4, '上海', '{vip}', $5)`,
        [tenant.tenantId, randomUUID(), memberNo, name, phone ? pii.encrypt(phone) : null],
      );
    }
    await t.sql(
      `INSERT INTO customers (tenant_id, id, member_no, name, tags, status) VALUES ($1, $2, 'M9', 'gone', '{vip}', 'archived')`,
      [tenant.tenantId, randomUUID()],
    );
    const created = await t.http
      .post('/v1/segments')
      .set('authorization', tenant.auth)
      .send({ name: 'vip', query: 'tags contains "vip"' })
      .expect(201);
    segmentId = created.body.id;
    await t.http
      .post(`/v1/segments/${segmentId}/refresh`)
      .set('authorization', tenant.auth)
      .send({})
      .expect(202);
    await t.app.get(SegmentRefreshService).idle();
  });
  afterAll(() => t.close());

  const exportPath = (query: string) => `/v1/segments/${segmentId}/export?${query}`;

  it('streams NDJSON of the active members with the chosen fields', async () => {
    const response = await t.http
      .get(exportPath('format=ndjson&fields=memberNo,name,city'))
      .set('authorization', tenant.auth)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      })
      .expect(200);
    expect(response.headers['content-type']).toContain('application/x-ndjson');
    const lines = (response.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.memberNo).sort()).toEqual(['M1', 'M2', 'M3']);
    expect(lines.find((l) => l.memberNo === 'M1')).toEqual({
      memberNo: 'M1',
      name: '张三, 先生',
      city: '上海',
    });
    // Quotes and commas survive the JSON written from COPY's text rows (fast path).
    expect(lines.find((l) => l.memberNo === 'M2').name).toBe('=HYPERLINK("http://evil","点我")');
    expect(lines.find((l) => l.memberNo === 'M3').name).toBe('李"四"');
  });

  it('writes RFC 4180 CSV with a BOM, Chinese intact, formulas neutralised and phones decrypted with pii:read', async () => {
    const response = await t.http
      .get(exportPath('format=csv&bom=true&fields=memberNo,name,phone'))
      .set('authorization', tenant.auth)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const bytes = response.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('memberNo,name,phone');
    expect(lines).toEqual(
      expect.arrayContaining([
        'M1,"张三, 先生",+8613800138000'.replace('+86', "'+86"),
        `M2,"'=HYPERLINK(""http://evil"",""点我"")",`,
        `M3,"李""四""",'+8613900139000`,
      ]),
    );
    expect(response.headers['content-disposition']).toContain(`segment-${segmentId}.csv`);
  });

  it('masks phones without pii:read', async () => {
    const reader = await t.client(tenant, ['segments:read']);
    const response = await t.http
      .get(exportPath('fields=memberNo,phone'))
      .set('authorization', reader.auth)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      })
      .expect(200);
    const m1 = (response.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((l) => l.memberNo === 'M1');
    expect(m1.phone).toBe('138****8000');
  });

  it('with a channel exports only customers who granted marketing on it (not withdrawn, not archived) and audits the export', async () => {
    const ids = await t.sql<{ id: string; member_no: string }>(
      `SELECT id, member_no FROM customers WHERE tenant_id = $1 ORDER BY member_no`,
      [tenant.tenantId],
    );
    const byNo = Object.fromEntries(ids.map((r) => [r.member_no, r.id]));
    const consent = (memberNo: string, channel: string, status: string) =>
      t.http
        .post(`/v1/customers/${byNo[memberNo]}/consents`)
        .set('authorization', tenant.auth)
        .send({
          purpose: 'marketing',
          channel,
          status,
          source: 'pos',
          evidence: { method: 'checkbox', noticeVersion: 'privacy-2026-10' },
        })
        .expect(201);
    await consent('M1', 'sms', 'granted');
    await consent('M3', 'sms', 'granted');
    await consent('M3', 'sms', 'withdrawn');
    await consent('M2', 'email', 'granted');
    const response = await t.http
      .get(exportPath('channel=sms&fields=memberNo'))
      .set('authorization', tenant.auth)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      })
      .expect(200);
    expect(
      (response.body as string)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ memberNo: 'M1' }]);
    // The rule language agrees with the export filter.
    const preview = await t.http
      .post('/v1/segments/preview')
      .set('authorization', tenant.auth)
      .send({ query: 'consent.sms or consent.email' })
      .expect(200);
    expect(preview.body.sample.map((c: { memberNo: string }) => c.memberNo).sort()).toEqual([
      'M1',
      'M2',
    ]);

    await t.app.get(AuditService).flush();
    const audit = await t.sql<{ actor_id: string; details: Record<string, unknown> }>(
      `SELECT actor_id, details FROM audit_log WHERE tenant_id = $1 AND action = 'segment.export' AND details->>'channel' = 'sms'`,
      [tenant.tenantId],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: tenant.clientId,
      details: { segmentId, rows: 1, channel: 'sms', format: 'ndjson' },
    });
  });

  it('writes the same cells from the COPY paths as from the cursor path (phone decrypted in Node)', async () => {
    const pii = t.app.get(PiiCrypto);
    const tricky: Array<[string, string | null, string | null, string[], number | null]> = [
      ['T1', 'two\nlines, "quoted" \\ back\tslash', '', ['a', 'b'], 7],
      ['T2', '-5', '+city', [], null],
      ['T3', '\tcmd', null, ['=x'], 12],
      ['T4', null, '@home', ['vip', '新'], 1],
      // Every control character text can hold, quotes and a literal \N: NDJSON cells are
      // escaped in Node from COPY's text format, and must match JSON.stringify's.
      [
        'T5',
        `${Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('')} "\\N" 😀`,
        '\\N',
        ['\u0001\\"'],
        null,
      ],
    ];
    for (const [memberNo, name, city, tags, birthMonth] of tricky) {
      await t.sql(
        `INSERT INTO customers (tenant_id, id, member_no, name, city, tags, birth_month, birth_year, points_balance, phone_enc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1990, 1234567, $8)`,
        [
          tenant.tenantId,
          randomUUID(),
          memberNo,
          name,
          city,
          ['tricky', ...tags],
          birthMonth,
          pii.encrypt('+8613700137000'),
        ],
      );
    }
    const created = await t.http
      .post('/v1/segments')
      .set('authorization', tenant.auth)
      .send({ name: 'tricky', query: 'tags contains "tricky"' })
      .expect(201);
    await t.http
      .post(`/v1/segments/${created.body.id}/refresh`)
      .set('authorization', tenant.auth)
      .send({})
      .expect(202);
    await t.app.get(SegmentRefreshService).idle();
    const plain =
      'id,memberNo,name,gender,birthMonth,birthYear,province,city,storeId,tier,pointsBalance,tags,rfmSegment';
    const text = async (query: string) =>
      (
        await t.http
          .get(`/v1/segments/${created.body.id}/export?${query}`)
          .set('authorization', tenant.auth)
          .buffer(true)
          .parse((res, done) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
          })
          .expect(200)
      ).body as string;
    const bySortedMember = (rows: Array<Record<string, unknown>>) =>
      rows.sort((a, b) => String(a.memberNo).localeCompare(String(b.memberNo)));

    const viaCopy = bySortedMember(
      (await text(`format=ndjson&fields=${plain}`))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    const viaCursor = bySortedMember(
      (await text(`format=ndjson&fields=${plain},phone`))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(viaCursor.map((r) => r.phone)).toEqual(Array(5).fill('+8613700137000'));
    expect(viaCopy).toEqual(viaCursor.map(({ phone: _phone, ...rest }) => rest));
    expect(viaCopy[0]).toMatchObject({
      name: 'two\nlines, "quoted" \\ back\tslash',
      tags: ['tricky', 'a', 'b'],
      birthMonth: 7,
      pointsBalance: 1234567,
      province: null,
    });

    // CSV: phone first, so dropping the first cell of the cursor path's lines leaves the rest.
    const csvCopy = (await text(`format=csv&bom=true&fields=${plain}`)).split('\r\n');
    const csvCursor = (await text(`format=csv&bom=true&fields=phone,${plain}`)).split('\r\n');
    expect(csvCopy[0]).toBe(`\uFEFF${plain}`);
    expect(csvCopy.slice(1).sort()).toEqual(
      csvCursor
        .slice(1)
        .map((line) => line.replace(/^[^,]*,?/, ''))
        .sort(),
    );
    expect(csvCopy).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /,T1,"two\nlines, ""quoted"" \\ back\tslash",unknown,7,1990,,,,,1234567,tricky;a;b,$/,
        ),
        expect.stringMatching(/,T2,'-5,unknown,,1990,,'\+city,,,1234567,tricky,$/),
        expect.stringMatching(/,T3,'\tcmd,unknown,12,1990,,,,,1234567,tricky;=x,$/),
      ]),
    );
  });

  it('refuses unknown channels, fields and formats with 422 before streaming', async () => {
    const channel = await t.http
      .get(exportPath('channel=fax'))
      .set('authorization', tenant.auth)
      .expect(422);
    expect(channel.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'channel' }],
    });
    const fields = await t.http
      .get(exportPath('fields=memberNo,password'))
      .set('authorization', tenant.auth)
      .expect(422);
    expect(fields.body.errors[0]).toMatchObject({
      field: 'fields',
      message: expect.stringContaining('unknown: password'),
    });
    await t.http.get(exportPath('format=xml')).set('authorization', tenant.auth).expect(422);
    await t.http
      .get(`/v1/segments/${randomUUID()}/export`)
      .set('authorization', tenant.auth)
      .expect(404);
  });

  it('reads and changes classification settings; the lapsed built-in follows', async () => {
    const initial = await t.http
      .get('/v1/segments/settings')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(initial.body).toEqual({
      goldTopPercent: 20,
      goldMinPurchases: 2,
      lapsedDays: 180,
      frequencyHighMin: null,
      frequencyMidMin: null,
      spendHighMin: null,
      spendMidMin: null,
    });
    const put = await t.http
      .put('/v1/segments/settings')
      .set('authorization', tenant.auth)
      .send({
        goldTopPercent: 10,
        goldMinPurchases: 3,
        lapsedDays: 90,
        spendHighMin: '5000.00',
        spendMidMin: '1000',
      })
      .expect(200);
    expect(put.body).toMatchObject({
      lapsedDays: 90,
      spendHighMin: '5000.00',
      spendMidMin: '1000.00',
    });
    const list = await t.http
      .get('/v1/segments?limit=500')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(list.body.items.find((s: { builtIn: string }) => s.builtIn === 'lapsed').query).toBe(
      'stats.lastPurchaseAt < now() - 90d',
    );
    await t.http
      .put('/v1/segments/settings')
      .set('authorization', tenant.auth)
      .send({ goldTopPercent: 10, goldMinPurchases: 3, lapsedDays: 90, spendHighMin: '5000' })
      .expect(422);
    await t.http
      .put('/v1/segments/settings')
      .set('authorization', tenant.auth)
      .send({ goldTopPercent: 0, goldMinPurchases: 3, lapsedDays: 90 })
      .expect(422);
  });
});
