import { randomUUID } from 'node:crypto';
import { EventSequencer } from '../src/events/event-sequencer.service';
import { SegmentRefreshService } from '../src/segments/segment-refresh.service';
import { TestApp, TenantClient } from './support/test-app';

interface Seed {
  memberNo: string;
  gender?: string;
  city?: string;
  tags?: string[];
  attributes?: Record<string, unknown>;
  birthMonth?: number;
  tier?: string;
  points?: number;
  status?: string;
}

describe('segments: rules, preview, refresh, members', () => {
  let t: TestApp;
  let tenant: TenantClient;

  async function seed(target: TenantClient, customers: Seed[]): Promise<string[]> {
    const ids: string[] = [];
    for (const c of customers) {
      const id = randomUUID();
      ids.push(id);
      await t.sql(
        `INSERT INTO customers (tenant_id, id, member_no, gender, city, tags, attributes, birth_month, tier_code, points_balance, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          target.tenantId,
          id,
          c.memberNo,
          c.gender ?? 'unknown',
          c.city ?? null,
          c.tags ?? [],
          c.attributes ?? {},
          c.birthMonth ?? null,
          c.tier ?? null,
          c.points ?? 0,
          c.status ?? 'active',
        ],
      );
    }
    return ids;
  }

  const post = (path: string, body: unknown, who = tenant) =>
    t.http
      .post(path)
      .set('authorization', who.auth)
      .send(body as object);
  const get = (path: string, who = tenant) => t.http.get(path).set('authorization', who.auth);

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_RUN_WORKER: 'false' });
    tenant = await t.tenant();
    await seed(tenant, [
      {
        memberNo: 'M1',
        gender: 'female',
        city: '上海',
        tags: ['vip'],
        attributes: { style: '商务', height: 165 },
        birthMonth: 11,
        tier: 'gold',
        points: 500,
      },
      {
        memberNo: 'M2',
        gender: 'male',
        city: '北京',
        tags: ['vip', 'new'],
        attributes: { style: '休闲' },
        birthMonth: 3,
        tier: 'member',
        points: 50,
      },
      {
        memberNo: 'M3',
        gender: 'female',
        city: '上海',
        attributes: { hobbies: ['golf', 'tea'] },
        tier: 'member',
        points: 1200,
      },
      { memberNo: 'M4', gender: 'female', city: '上海', tags: ['vip'], status: 'archived' },
    ]);
  });
  afterAll(() => t.close());

  it('previews a text rule: count and sample of active matches', async () => {
    const response = await post('/v1/segments/preview', {
      query: 'city = "上海" and gender = "female"',
    }).expect(200);
    expect(response.body.count).toBe(2);
    expect(response.body.sample.map((c: { memberNo: string }) => c.memberNo).sort()).toEqual([
      'M1',
      'M3',
    ]);
    expect(response.body.sample[0]).toEqual(
      expect.objectContaining({ customerId: expect.any(String), city: '上海' }),
    );
  });

  it.each([
    ['tags contains "vip"', ['M1', 'M2']],
    ['not tags contains "vip"', ['M3']],
    ['attr.style = "商务"', ['M1']],
    ['attr.height >= 160', ['M1']],
    ['attr.hobbies contains "golf"', ['M3']],
    ['attr.style is null', ['M3']],
    ['points between 100 and 1500', ['M1', 'M3']],
    ['tier in ("gold") or points > 1000', ['M1', 'M3']],
    ['tier not in ("gold")', ['M2', 'M3']],
    ['birthMonth is null', ['M3']],
    ['city != "上海"', ['M2']],
    ['(city = "上海" or city = "北京") and not (tier = "gold")', ['M2', 'M3']],
  ])('evaluates %s', async (query, expected) => {
    const response = await post('/v1/segments/preview', { query }).expect(200);
    expect(response.body.sample.map((c: { memberNo: string }) => c.memberNo).sort()).toEqual(
      expected,
    );
    expect(response.body.count).toBe(expected.length);
  });

  it('accepts the JSON tree as well as text', async () => {
    const response = await post('/v1/segments/preview', {
      query: {
        and: [
          { field: 'city', op: '=', value: '上海' },
          { field: 'tags', op: 'contains', value: 'vip' },
        ],
      },
    }).expect(200);
    expect(response.body.count).toBe(1);
  });

  it.each([
    [
      'unknown field',
      'city = "x" and stats.foo > 1',
      'validation_failed',
      'line 1, col 16: unknown field stats.foo',
    ],
    [
      'type mismatch',
      'tier > 3',
      'validation_failed',
      'line 1, col 1: tier is text; ">" does not apply (use =, !=, in, not in, is null, is not null)',
    ],
    [
      'injection',
      `city = ''; drop table customers`,
      'validation_failed',
      'line 1, col 10: unexpected character ";"',
    ],
    [
      '21 levels',
      `${'('.repeat(21)}city = "x"${')'.repeat(21)}`,
      'query_too_complex',
      'line 1, col 21: query nests deeper than 20 levels',
    ],
    [
      '201 conditions',
      Array.from({ length: 201 }, (_, i) => `points = ${i}`).join(' or '),
      'query_too_complex',
      'line 1, col 3091: query has more than 200 conditions',
    ],
  ])(
    'refuses %s with 422 and the position, storing nothing',
    async (_label, query, code, message) => {
      const before = await t.count('segments', 'tenant_id = $1', [tenant.tenantId]);
      const response = await post('/v1/segments', { name: `bad ${Math.random()}`, query }).expect(
        422,
      );
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({
        code,
        detail: message,
        errors: [{ field: 'query', message }],
      });
      await post('/v1/segments/preview', { query }).expect(422);
      expect(await t.count('segments', 'tenant_id = $1', [tenant.tenantId])).toBe(before);
    },
  );

  it('treats an injection attempt inside a string as data', async () => {
    const response = await post('/v1/segments/preview', {
      query: `city = "'; drop table customers; --"`,
    }).expect(200);
    expect(response.body.count).toBe(0);
    expect(await t.count('customers', 'tenant_id = $1', [tenant.tenantId])).toBe(4);
  });

  it('creates, reads, lists, changes and deletes segments; built-ins are listed and read-only', async () => {
    const created = await post('/v1/segments', {
      name: '上海会员',
      description: 'Shanghai',
      query: 'city = "上海"',
    }).expect(201);
    expect(created.body).toMatchObject({
      name: '上海会员',
      query: 'city = "上海"',
      tree: { field: 'city', op: '=', value: '上海' },
      builtIn: null,
      memberCount: 0,
    });
    const id = created.body.id;
    expect((await get(`/v1/segments/${id}`).expect(200)).body.name).toBe('上海会员');
    await post('/v1/segments', { name: '上海会员', query: 'city = "x"' }).expect(409);

    const listed = await get('/v1/segments?limit=500').expect(200);
    const keys = listed.body.items.map((s: { builtIn: string | null }) => s.builtIn);
    expect(keys).toEqual(
      expect.arrayContaining([
        'rfm.champions',
        'rfm.cant_lose_them',
        'frequency.high',
        'spend.low',
        'gold',
        'birthday-this-month',
        'lapsed',
      ]),
    );

    const patched = await t.http
      .patch(`/v1/segments/${id}`)
      .set('authorization', tenant.auth)
      .send({ query: { field: 'city', op: '=', value: '北京' } })
      .expect(200);
    expect(patched.body).toMatchObject({ query: null, tree: { value: '北京' }, name: '上海会员' });
    await t.http
      .patch(`/v1/segments/${id}`)
      .set('authorization', tenant.auth)
      .send({ query: 'tier > 3' })
      .expect(422);

    const gold = listed.body.items.find((s: { builtIn: string }) => s.builtIn === 'gold');
    await t.http.delete(`/v1/segments/${gold.id}`).set('authorization', tenant.auth).expect(409);
    await t.http.delete(`/v1/segments/${id}`).set('authorization', tenant.auth).expect(204);
    await get(`/v1/segments/${id}`).expect(404);
  });

  it('refreshes membership with 202 + job, pages members and writes entered/exited events', async () => {
    const created = await post('/v1/segments', {
      name: 'vip',
      query: 'tags contains "vip"',
    }).expect(201);
    const id = created.body.id;
    const accepted = await post(`/v1/segments/${id}/refresh`, {}).expect(202);
    expect(accepted.body).toMatchObject({ segmentId: id, status: 'queued' });
    expect(accepted.headers.location).toBe(`/v1/segments/${id}/refresh-jobs/${accepted.body.id}`);
    await t.app.get(SegmentRefreshService).idle();
    const job = await get(accepted.headers.location).expect(200);
    expect(job.body).toMatchObject({ status: 'succeeded', memberCount: 2, entered: 2, exited: 0 });
    expect((await get(`/v1/segments/${id}`).expect(200)).body).toMatchObject({
      memberCount: 2,
      refreshedAt: expect.any(String),
    });

    const page1 = await get(`/v1/segments/${id}/members?limit=1`).expect(200);
    expect(page1.body.items).toHaveLength(1);
    const page2 = await get(
      `/v1/segments/${id}/members?limit=1&cursor=${page1.body.nextCursor}`,
    ).expect(200);
    expect(page2.body.nextCursor).toBeNull();
    expect([page1.body.items[0].memberNo, page2.body.items[0].memberNo].sort()).toEqual([
      'M1',
      'M2',
    ]);
    expect(
      await t.count('events', `tenant_id = $1 AND type = 'segment.entered' AND subject_id = $2`, [
        tenant.tenantId,
        id,
      ]),
    ).toBe(2);

    // M2 loses the tag, M3 gains it: one exit, one entry.
    await t.sql(`UPDATE customers SET tags = '{}' WHERE tenant_id = $1 AND member_no = 'M2'`, [
      tenant.tenantId,
    ]);
    await t.sql(`UPDATE customers SET tags = '{vip}' WHERE tenant_id = $1 AND member_no = 'M3'`, [
      tenant.tenantId,
    ]);
    const second = await post(`/v1/segments/${id}/refresh`, {}).expect(202);
    await t.app.get(SegmentRefreshService).idle();
    expect((await get(second.headers.location).expect(200)).body).toMatchObject({
      status: 'succeeded',
      memberCount: 2,
      entered: 1,
      exited: 1,
    });
    const events = await t.sql<{ type: string; member_no: string; payload: { segmentId: string } }>(
      `SELECT e.type, c.member_no, e.payload FROM events e JOIN customers c ON c.tenant_id = e.tenant_id AND c.id = e.customer_id
        WHERE e.tenant_id = $1 AND e.subject_id = $2 ORDER BY e.type, c.member_no`,
      [tenant.tenantId, id],
    );
    expect(events.map((e) => `${e.type}:${e.member_no}`)).toEqual([
      'segment.entered:M1',
      'segment.entered:M2',
      'segment.entered:M3',
      'segment.exited:M2',
    ]);
    expect(events[0].payload).toEqual({ segmentId: id, segmentName: 'vip', builtIn: null });

    // Written set-based in SQL: distinct UUIDv7 ids, the row shape record() writes, and the
    // sequencer numbers them like any other outbox row.
    const rows = await t.sql<{ id: string; subject_type: string; created_at: Date }>(
      `SELECT id, subject_type, created_at FROM events WHERE tenant_id = $1 AND subject_id = $2`,
      [tenant.tenantId, id],
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(4);
    for (const row of rows) {
      expect(row.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(
        Math.abs(parseInt(row.id.replace(/-/g, '').slice(0, 12), 16) - row.created_at.getTime()),
      ).toBeLessThan(60_000);
      expect(row.subject_type).toBe('segment');
    }
    await t.app.get(EventSequencer).sequenceTenant(tenant.tenantId);
    expect(
      await t.count(
        'events e JOIN event_seqs s ON s.tenant_id = e.tenant_id AND s.event_id = e.id',
        `e.tenant_id = $1 AND e.subject_id = $2`,
        [tenant.tenantId, id],
      ),
    ).toBe(4);

    await get(`/v1/segments/${id}/members?cursor=bogus`).expect(422);

    // Deleting the segment deletes its membership with it (no cascading foreign key since
    // the membership write path dropped it).
    await t.http.delete(`/v1/segments/${id}`).set('authorization', tenant.auth).expect(204);
    expect(
      await t.count('segment_members', `tenant_id = $1 AND segment_id = $2`, [tenant.tenantId, id]),
    ).toBe(0);
  });

  it('keeps tenants apart and checks scopes', async () => {
    const other = await t.tenant();
    const mine = await post('/v1/segments', { name: 'mine', query: 'city = "上海"' }).expect(201);
    await get(`/v1/segments/${mine.body.id}`, other).expect(404);
    expect(
      (await post('/v1/segments/preview', { query: 'city = "上海"' }, other).expect(200)).body
        .count,
    ).toBe(0);
    const reader = await t.client(tenant, ['segments:read']);
    await post('/v1/segments', { name: 'nope', query: 'city = "x"' }, reader).expect(403);
    await post(`/v1/segments/${mine.body.id}/refresh`, {}, reader).expect(403);
    await post('/v1/segments', { name: 'extra', query: 'city = "x"', evil: 1 }).expect(422);
  });
});
