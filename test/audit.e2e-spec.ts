import { AuditService } from '../src/privacy/audit/audit.service';
import { insertCustomer } from './support/customer-rows';
import { TestApp, TenantClient } from './support/test-app';

describe('audit: who touched whose personal data, hash-chained and append-only', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let audit: AuditService;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    audit = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  it('records reads and writes of a customer with actor, customer, fields, request id and IP', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    await t.http
      .post(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .set('x-request-id', 'req-audit-1')
      .send({
        purpose: 'marketing',
        channel: 'sms',
        status: 'granted',
        source: 'pos',
        evidence: { method: 'paper', noticeVersion: 'v1' },
      })
      .expect(201);
    await t.http
      .get(`/v1/customers/${id}/consents`)
      .set('authorization', tenant.auth)
      .set('x-request-id', 'req-audit-2')
      .expect(200);
    await audit.flush();

    const page = await t.http
      .get('/v1/audit')
      .query({ customerId: id })
      .set('authorization', tenant.auth)
      .expect(200);
    expect(page.body.items).toHaveLength(2);
    const [read, write] = page.body.items;
    expect(write).toMatchObject({
      actorKind: 'client',
      actor: tenant.clientId,
      action: 'customer.write',
      resource: 'POST /v1/customers/:id/consents',
      customerIds: [id],
      outcome: 'success',
      requestId: 'req-audit-1',
      ip: expect.any(String),
    });
    expect(write.fields).toEqual(expect.arrayContaining(['evidence', 'purpose']));
    expect(read).toMatchObject({
      action: 'customer.read',
      resource: 'GET /v1/customers/:id/consents',
      requestId: 'req-audit-2',
    });
    expect(read.seq).toBe(write.seq + 1);
    expect(read.prevHash).toBe(write.hash);
  });

  it('records failed requests too, with the error code', async () => {
    await t.http
      .get('/v1/customers/0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a99/consents')
      .set('authorization', tenant.auth)
      .expect(404);
    await audit.flush();
    const page = await t.http
      .get('/v1/audit')
      .query({ customerId: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a99' })
      .set('authorization', tenant.auth)
      .expect(200);
    expect(page.body.items[0]).toMatchObject({
      outcome: 'failure',
      details: { code: 'not_found' },
    });
  });

  it('records GraphQL customer fields (success and failure) and leaves other requests out', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    const missing = '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a42';
    const query = 'query ($id: ID!) { customer(id: $id) { id name } }';
    await t.graphql(tenant.auth, query, { id }).expect(200);
    const failed = await t.graphql(tenant.auth, query, { id: missing }).expect(200);
    expect(failed.body.errors[0].extensions.code).toBe('not_found');
    await t.http.get('/v1/tenant').set('authorization', tenant.auth).expect(200);
    await audit.flush();

    const [read] = (
      await t.http
        .get('/v1/audit')
        .query({ customerId: id })
        .set('authorization', tenant.auth)
        .expect(200)
    ).body.items;
    expect(read).toMatchObject({
      action: 'customer.read',
      resource: 'graphql Query.customer',
      customerIds: [id],
      outcome: 'success',
    });
    expect(read.fields).toContain('name');
    const [failure] = (
      await t.http
        .get('/v1/audit')
        .query({ customerId: missing })
        .set('authorization', tenant.auth)
        .expect(200)
    ).body.items;
    expect(failure).toMatchObject({
      resource: 'graphql Query.customer',
      outcome: 'failure',
      details: { code: 'not_found' },
    });
    expect(await t.count('audit_log', `resource = 'GET /v1/tenant'`)).toBe(0);
  });

  it('records staff log-ins (success and failure) and permission failures', async () => {
    const staff = await t.staff(tenant, 'staff');
    await t.http
      .post('/v1/auth/login')
      .send({ tenant: tenant.slug, email: staff.email, password: 'wrong' })
      .expect(401);
    await t.http.get('/v1/audit').set('authorization', staff.auth).expect(403);
    await audit.flush();
    const logins = await t.http
      .get('/v1/audit')
      .query({ action: 'auth.login' })
      .set('authorization', tenant.auth)
      .expect(200);
    expect(logins.body.items.map((e: { outcome: string }) => e.outcome)).toEqual([
      'failure',
      'success',
    ]);
    const denied = await t.http
      .get('/v1/audit')
      .query({ action: 'auth.denied' })
      .set('authorization', tenant.auth)
      .expect(200);
    expect(denied.body.items[0]).toMatchObject({
      actorKind: 'staff',
      resource: 'GET /v1/audit',
      outcome: 'denied',
    });
  });

  it('lets auditors and admins read the log, not managers or staff; filters by actor and time; pages by cursor', async () => {
    const auditor = await t.staff(tenant, 'auditor');
    const admin = await t.staff(tenant, 'admin');
    const manager = await t.staff(tenant, 'manager');
    await t.http.get('/v1/audit').set('authorization', auditor.auth).expect(200);
    await t.http.get('/v1/audit').set('authorization', admin.auth).expect(200);
    await t.http.get('/v1/audit').set('authorization', manager.auth).expect(403);

    const id = await insertCustomer(t, tenant.tenantId);
    for (let i = 0; i < 5; i++)
      await t.http
        .get(`/v1/customers/${id}/consents`)
        .set('authorization', auditor.auth)
        .expect(200);
    await audit.flush();
    const first = await t.http
      .get('/v1/audit')
      .query({ customerId: id, limit: 3 })
      .set('authorization', auditor.auth)
      .expect(200);
    expect(first.body.items).toHaveLength(3);
    const second = await t.http
      .get('/v1/audit')
      .query({ customerId: id, limit: 3, cursor: first.body.nextCursor })
      .set('authorization', auditor.auth)
      .expect(200);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();

    const me = await t.http.get('/v1/me').set('authorization', auditor.auth).expect(200);
    const mine = await t.http
      .get('/v1/audit')
      .query({ actor: me.body.subject, customerId: id })
      .set('authorization', auditor.auth)
      .expect(200);
    expect(mine.body.items).toHaveLength(5);
    const future = await t.http
      .get('/v1/audit')
      .query({ from: '2999-01-01T00:00:00Z' })
      .set('authorization', auditor.auth)
      .expect(200);
    expect(future.body.items).toHaveLength(0);
    const bad = await t.http
      .get('/v1/audit')
      .query({ customerId: 'nope', from: 'yesterday' })
      .set('authorization', auditor.auth)
      .expect(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'customerId',
      'from',
    ]);
  });

  it('keeps the chain intact under concurrent requests', async () => {
    const id = await insertCustomer(t, tenant.tenantId);
    await Promise.all(
      Array.from({ length: 40 }, () =>
        t.http.get(`/v1/customers/${id}/consents`).set('authorization', tenant.auth).expect(200),
      ),
    );
    const verified = await t.http
      .get('/v1/audit/verify')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(verified.body.ok).toBe(true);
    expect(verified.body.entries).toBe(
      await t.count('audit_log', 'tenant_id = $1', [tenant.tenantId]),
    );
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows, even as the owner', async () => {
    await audit.flush();
    const before = await t.count('audit_log');
    await expect(
      t.sql(`UPDATE audit_log SET actor_id = 'x' WHERE tenant_id = $1`, [tenant.tenantId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.sql(`DELETE FROM audit_log WHERE tenant_id = $1`, [tenant.tenantId]),
    ).rejects.toThrow(/append-only/);
    await expect(t.sql(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    expect(await t.count('audit_log')).toBe(before);
  });

  it('verify reports the first broken link after a row is altered behind the trigger, and changes nothing', async () => {
    const other = await t.tenant();
    const id = await insertCustomer(t, other.tenantId);
    for (let i = 0; i < 4; i++)
      await t.http.get(`/v1/customers/${id}/consents`).set('authorization', other.auth).expect(200);
    await t.http.get('/v1/audit/verify').set('authorization', other.auth).expect(200);
    const rows = await t.sql<{ seq: string; id: string }>(
      `SELECT seq, id FROM audit_log WHERE tenant_id = $1 ORDER BY seq`,
      [other.tenantId],
    );
    const victim = rows[1];

    await t.sql(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_immutable`);
    await t.sql(
      `UPDATE audit_log SET actor_id = 'someone-else' WHERE tenant_id = $1 AND seq = $2`,
      [other.tenantId, victim.seq],
    );
    await t.sql(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_immutable`);
    const countBefore = await t.count('audit_log', 'tenant_id = $1', [other.tenantId]);

    const broken = await t.http
      .get('/v1/audit/verify')
      .set('authorization', other.auth)
      .expect(409);
    expect(broken.body).toMatchObject({
      code: 'conflict',
      brokenAt: { seq: Number(victim.seq), id: victim.id, reason: 'hash_mismatch' },
    });
    expect(broken.body.detail).toMatch(/broken at entry/);
    // The other tenant's chain is its own and still intact.
    await t.http.get('/v1/audit/verify').set('authorization', tenant.auth).expect(200);
    // Verifying only reads (the verify request's own audit entry is the one new row).
    await audit.flush();
    expect(
      await t.count('audit_log', `tenant_id = $1 AND action <> 'audit.read'`, [other.tenantId]),
    ).toBe(countBefore);
  });

  it('writes no audit entries when auditing is disabled', async () => {
    const off = await TestApp.start({ KEHU_AUDIT_ENABLED: 'false' });
    try {
      const tn = await off.tenant();
      const id = await insertCustomer(off, tn.tenantId);
      await off.http.get(`/v1/customers/${id}/consents`).set('authorization', tn.auth).expect(200);
      await off.app.get(AuditService).flush();
      expect(await off.count('audit_log')).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('flushes every queued entry on graceful shutdown', async () => {
    const other = await TestApp.start();
    const tn = await other.tenant();
    const id = await insertCustomer(other, tn.tenantId);
    for (let i = 0; i < 25; i++) {
      other.app.get(AuditService).record({
        tenantId: tn.tenantId,
        actorKind: 'system',
        actorId: 'test',
        action: 'customer.read',
        resource: 'test',
        customerIds: [id],
      });
    }
    await other.app.close(); // OnApplicationShutdown flushes; the pool is still open
    const rows = await other.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1`,
      [tn.tenantId],
    );
    expect(rows[0].n).toBe(25);
    await other.dataSource.destroy();
    await (other as unknown as { dropDatabase: () => Promise<void> }).dropDatabase();
  });
});
