import { uuid7 } from '../src/common/uuid7';
import { LoyaltyRepository } from '../src/loyalty/loyalty.repository';
import { TestApp, TenantClient } from './support/test-app';

/**
 * The second wall: row-level security. Even SQL that forgets `tenant_id = $1` cannot see,
 * change or add another tenant's rows inside a request transaction.
 */
describe('tenant isolation with row-level security', () => {
  let t: TestApp;
  let a: TenantClient;
  let b: TenantClient;

  const insertCustomer = (tenantId: string, memberNo: string) =>
    t.sql(`INSERT INTO customers (tenant_id, id, member_no, name) VALUES ($1, $2, $3, 'x')`, [
      tenantId,
      uuid7(),
      memberNo,
    ]);

  beforeAll(async () => {
    t = await TestApp.start();
    a = await t.tenant();
    b = await t.tenant();
    await insertCustomer(a.tenantId, 'A-1');
    await insertCustomer(a.tenantId, 'A-2');
    await insertCustomer(b.tenantId, 'B-1');
  });
  afterAll(() => t.close());

  it('a request-role query without the tenant setting sees no rows at all', async () => {
    const client = await t.database.pool.connect();
    try {
      await client.query('BEGIN; SET LOCAL ROLE kehu_app');
      const customers = await client.query('SELECT count(*)::int AS n FROM customers');
      const clients = await client.query('SELECT count(*)::int AS n FROM api_clients');
      expect(customers.rows[0].n).toBe(0);
      expect(clients.rows[0].n).toBe(0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await t.count('customers')).toBe(3); // the rows are there; the role just cannot see them
  });

  it('a tenant transaction sees only its own rows, even with no WHERE clause', async () => {
    const seenByA = await t.database.withTenant(a.tenantId, (tx) =>
      tx.query<{ member_no: string }>('SELECT member_no FROM customers ORDER BY member_no'),
    );
    const seenByB = await t.database.withTenant(b.tenantId, (tx) =>
      tx.query<{ member_no: string }>('SELECT member_no FROM customers'),
    );
    expect(seenByA.map((r) => r.member_no)).toEqual(['A-1', 'A-2']);
    expect(seenByB.map((r) => r.member_no)).toEqual(['B-1']);
  });

  it('the search view (an owner view, not under RLS) shows only the tenant and is read-only', async () => {
    const seen = (tenantId: string) =>
      t.database.withTenant(tenantId, (tx) =>
        tx.query<{ member_no: string }>('SELECT member_no FROM customer_search ORDER BY 1'),
      );
    expect((await seen(a.tenantId)).map((r) => r.member_no)).toEqual(['A-1', 'A-2']);
    expect((await seen(b.tenantId)).map((r) => r.member_no)).toEqual(['B-1']);
    const client = await t.database.pool.connect();
    try {
      await client.query('BEGIN; SET LOCAL ROLE kehu_app');
      const none = await client.query('SELECT count(*)::int AS n FROM customer_search');
      expect(none.rows[0].n).toBe(0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    await expect(
      t.database.withTenant(b.tenantId, (tx) =>
        tx.query(`UPDATE customer_search SET name = 'hacked'`),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      t.database.withTenant(b.tenantId, (tx) =>
        tx.query(`INSERT INTO customer_search (tenant_id, id, member_no) VALUES ($1, $2, 'x')`, [
          a.tenantId,
          uuid7(),
        ]),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it("cannot update, delete or insert another tenant's rows", async () => {
    const updated = await t.database.withTenant(b.tenantId, (tx) =>
      tx.count(`UPDATE customers SET name = 'hacked'`),
    );
    const deleted = await t.database.withTenant(b.tenantId, (tx) =>
      tx.count(`DELETE FROM customers WHERE member_no LIKE 'A-%'`),
    );
    expect(updated).toBe(1); // only B's own row
    expect(deleted).toBe(0);
    await expect(
      t.database.withTenant(b.tenantId, (tx) =>
        tx.query(`INSERT INTO customers (tenant_id, id, member_no) VALUES ($1, $2, 'smuggled')`, [
          a.tenantId,
          uuid7(),
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
    const aNames = await t.sql<{ name: string }>(
      `SELECT name FROM customers WHERE tenant_id = $1`,
      [a.tenantId],
    );
    expect(aNames.every((r) => r.name === 'x')).toBe(true);
    expect(await t.count('customers', `member_no = 'smuggled'`)).toBe(0);
  });

  it("refuses a write statement on the posting tables if any of its rows is another tenant's (the check runs once a statement)", async () => {
    const [customer] = await t.sql<{ id: string }>(
      `SELECT id FROM customers WHERE tenant_id = $1 LIMIT 1`,
      [b.tenantId],
    );
    // [table, statement, the column that holds the customer id written]
    const writes: [string, string, string][] = [
      [
        'events',
        `INSERT INTO events (tenant_id, id, type, customer_id, payload)
         VALUES ($1, kehu_uuid7(), 'x', $3, '{}'), ($2, kehu_uuid7(), 'x', $3, '{}')`,
        'customer_id',
      ],
      [
        'event_queue',
        `INSERT INTO event_queue (tenant_id, created_at, id) VALUES ($1, now(), $3), ($2, now(), $3)`,
        'id',
      ],
      [
        'event_seqs',
        `INSERT INTO event_seqs (tenant_id, seq, event_id) VALUES ($1, 1, $3), ($2, 1, $3)`,
        'event_id',
      ],
      [
        'points_ledger',
        `INSERT INTO points_ledger (tenant_id, id, customer_id, kind, points, reason, source, actor)
         VALUES ($1, kehu_uuid7(), $3, 'adjust', 1, 'r', 's', 'a'), ($2, kehu_uuid7(), $3, 'adjust', 1, 'r', 's', 'a')`,
        'customer_id',
      ],
      [
        'customer_monthly_spend',
        `INSERT INTO customer_monthly_spend (tenant_id, customer_id, month, spent_minor)
         VALUES ($1, $3, '2026-01-01', 1), ($2, $3, '2026-02-01', 1)`,
        'customer_id',
      ],
    ];
    for (const [table, sql, column] of writes) {
      // Own tenant first, then A's: the second row must still be refused, and nothing kept.
      await expect(
        t.database.withTenant(b.tenantId, (tx) =>
          tx.query(sql, [b.tenantId, a.tenantId, customer.id]),
        ),
      ).rejects.toThrow(/row-level security/);
      expect(await t.count(table, `${column} = $1`, [customer.id])).toBe(0);
    }
    await expect(
      t.database.withTenant(b.tenantId, (tx) =>
        tx.query(`UPDATE customers SET tenant_id = $1 WHERE id = $2`, [a.tenantId, customer.id]),
      ),
    ).rejects.toThrow(/row-level security/);
    // Without the tenant setting no row passes at all.
    const client = await t.database.pool.connect();
    try {
      await client.query('BEGIN; SET LOCAL ROLE kehu_app');
      await expect(
        client.query(
          `INSERT INTO events (tenant_id, id, type, payload) VALUES ($1, kehu_uuid7(), 'x', '{}')`,
          [b.tenantId],
        ),
      ).rejects.toThrow(/row-level security/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('a token only ever reads its own tenant', async () => {
    const ofA = await t.http.get('/v1/tenant').set('authorization', a.auth).expect(200);
    const ofB = await t.http.get('/v1/tenant').set('authorization', b.auth).expect(200);
    expect(ofA.body.id).toBe(a.tenantId);
    expect(ofB.body.id).toBe(b.tenantId);
  });

  it("another tenant's customer id answers 404 for read, update, archive and look-up", async () => {
    const created = await t.http
      .post('/v1/customers')
      .set('authorization', a.auth)
      .send({ name: '甲', phone: '13500135000' })
      .expect(201);
    const id = created.body.id as string;
    expect(
      (await t.http.get(`/v1/customers/${id}`).set('authorization', b.auth).expect(404)).body.code,
    ).toBe('not_found');
    await t.http
      .patch(`/v1/customers/${id}`)
      .set('authorization', b.auth)
      .set('content-type', 'application/merge-patch+json')
      .send({ name: '乙' })
      .expect((r) => expect([404, 415]).toContain(r.status));
    await t.http
      .delete(`/v1/customers/${id}`)
      .set('authorization', b.auth)
      .expect((r) => expect(r.status).toBe(404));
    await t.http
      .get('/v1/customers/lookup?phone=13500135000')
      .set('authorization', b.auth)
      .expect(404);
    const list = await t.http
      .get('/v1/customers')
      .set('authorization', b.auth)
      .expect((r) => expect([200, 404]).toContain(r.status));
    if (list.status === 200)
      expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    const still = await t.http.get(`/v1/customers/${id}`).set('authorization', a.auth).expect(200);
    expect(still.body.name).toBe('甲');
  });

  it('tenant-bound read connections switch tenant when reused and refuse writes', async () => {
    const memberNos = (tenantId: string) =>
      t.database.readTenant(tenantId, (tx) =>
        tx.query<{ member_no: string }>('SELECT member_no FROM customers ORDER BY member_no'),
      );
    // Alternate so pooled reader sessions are handed from one tenant to the other.
    for (let round = 0; round < 3; round++) {
      const [ofA, ofB] = await Promise.all([memberNos(a.tenantId), memberNos(b.tenantId)]);
      expect(ofA.map((r) => r.member_no)).toEqual(expect.arrayContaining(['A-1', 'A-2']));
      expect(ofA.map((r) => r.member_no)).not.toContain('B-1');
      expect(ofB.map((r) => r.member_no)).toEqual(['B-1']);
    }
    await expect(
      t.database.readTenant(a.tenantId, (tx) =>
        tx.count(`UPDATE customers SET name = 'written-by-reader'`),
      ),
    ).rejects.toThrow(/read-only/);
    // The same member look-up from both tenants' POS: each sees only its own customer.
    await t.http
      .post('/v1/customers')
      .set('authorization', b.auth)
      .send({ name: '丙', phone: '13600136000' })
      .expect(201);
    await t.http
      .get('/v1/customers/lookup?phone=13600136000')
      .set('authorization', a.auth)
      .expect(404);
    const found = await t.http
      .get('/v1/customers/lookup?phone=13600136000')
      .set('authorization', b.auth)
      .expect(200);
    expect(found.body.name).toBe('丙');
    expect(await t.count('customers', `name = 'written-by-reader'`)).toBe(0);
  });

  it("the posting context (a PL/pgSQL function whose plan a connection keeps) reads the transaction's tenant each call", async () => {
    await t.sql(
      `INSERT INTO loyalty_programs (tenant_id, currency, points_per_unit, rounding, tiers) VALUES ($1, 'EUR', 2, 'floor', '[]')`,
      [a.tenantId],
    );
    const client = await t.database.pool.connect();
    const read = async (tenantId: string | null) => {
      await client.query('BEGIN; SET LOCAL ROLE kehu_app');
      if (tenantId) await client.query(`SELECT set_config('kehu.tenant_id', $1, true)`, [tenantId]);
      const { rows } = await client.query<{ program: { points_per_unit: string } | null }>(
        LoyaltyRepository.PROGRAM_AND_TENANT,
      );
      await client.query('COMMIT');
      return rows;
    };
    try {
      // One connection, tenants in turn: a plan kept from an earlier call must not carry a tenant.
      const firstA = await read(a.tenantId);
      const b1 = await read(b.tenantId);
      const none = await read(null);
      const againA = await read(a.tenantId);
      expect(firstA).toHaveLength(1);
      expect(firstA[0].program?.points_per_unit).toBe('2.0000');
      expect(b1).toHaveLength(1);
      expect(b1[0].program).toBeNull();
      expect(none).toHaveLength(0);
      expect(againA).toEqual(firstA);
    } finally {
      client.release();
      await t.sql(`DELETE FROM loyalty_programs WHERE tenant_id = $1`, [a.tenantId]);
    }
  });

  it('refuses a non-UUID tenant id before it reaches SQL', async () => {
    await expect(
      t.database.withTenant(`x'; DROP TABLE customers; --`, async () => 1),
    ).rejects.toThrow(/UUID/);
    expect(await t.count('customers')).toBeGreaterThan(0);
  });
});
