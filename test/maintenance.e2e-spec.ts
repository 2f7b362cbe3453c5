import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PiiCrypto } from '../src/common/crypto/pii-crypto.service';
import { AuditService } from '../src/privacy/audit/audit.service';
import { BackupService } from '../src/privacy/maintenance/backup.service';
import { KeyRotationService } from '../src/privacy/maintenance/key-rotation.service';
import { insertCustomer } from './support/customer-rows';
import { TEST_SECRETS, TestApp, TenantClient } from './support/test-app';

const evidence = { method: 'paper', noticeVersion: 'v1' };

async function tableDigests(t: TestApp): Promise<Record<string, string>> {
  const tables = await t.sql<{ name: string }>(
    `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND relname <> 'schema_migrations' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await t.sql<{ n: string; digest: string | null }>(
      `SELECT count(*) AS n, md5(string_agg(x::text, E'\\n' ORDER BY x::text)) AS digest FROM "${name}" x`,
    );
    out[name] = `${row.n}:${row.digest}`;
  }
  return out;
}

describe('maintenance: key rotation, backup and restore', () => {
  let t: TestApp;
  let tenant: TenantClient;
  const dir = mkdtempSync(join(tmpdir(), 'kehu-backup-'));

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    for (let i = 0; i < 7; i++) {
      const id = await insertCustomer(t, tenant.tenantId, { name: `顾客${i}` });
      await t.http
        .post(`/v1/customers/${id}/consents`)
        .set('authorization', tenant.auth)
        .send({ purpose: 'analytics', status: 'granted', source: 'pos', evidence })
        .expect(201);
      if (i === 0)
        await t.http
          .post('/v1/privacy/requests')
          .set('authorization', tenant.auth)
          .send({ customerId: id, type: 'export' })
          .expect(201);
    }
    await t.app.get(AuditService).flush();
  });
  afterAll(() => t.close());

  it('backs up every table from one snapshot and restores it exactly into an empty database', async () => {
    const file = join(dir, 'kehu.backup');
    const progress: number[] = [];
    const manifest = await t.app.get(BackupService).backup(file, (p) => progress.push(p.rows));
    expect(manifest.tables.find((x) => x.name === 'customers')).toMatchObject({
      rows: 7,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(manifest.tables.find((x) => x.name === 'audit_log')!.rows).toBeGreaterThan(0);
    expect(manifest.tables.findIndex((x) => x.name === 'tenants')).toBeLessThan(
      manifest.tables.findIndex((x) => x.name === 'customers'),
    );
    expect(progress.length).toBeGreaterThan(0);

    const target = await TestApp.start();
    try {
      await target.app.get(BackupService).restore(file);
      expect(await tableDigests(target)).toEqual(await tableDigests(t));
      // The restored audit chain verifies and the old tokens' tenant is there.
      const verified = await target.http
        .get('/v1/audit/verify')
        .set('authorization', tenant.auth)
        .expect(200);
      expect(verified.body.ok).toBe(true);

      // A second restore into the now non-empty database is refused and changes nothing.
      const before = await tableDigests(target);
      await expect(target.app.get(BackupService).restore(file)).rejects.toThrow(
        /refusing to restore into a non-empty database/,
      );
      expect(await tableDigests(target)).toEqual(before);
    } finally {
      await target.close();
    }
  });

  it('refuses a damaged backup and leaves the empty target empty', async () => {
    const file = join(dir, 'kehu.backup');
    const raw = gunzipSync(readFileSync(file));
    const damaged = join(dir, 'damaged.backup');
    // Flip one byte in the middle of the data: a checksum no longer matches.
    const copy = Buffer.from(raw);
    const at = copy.indexOf(Buffer.from('顾客3'));
    copy[at + 1] ^= 0x01;
    writeFileSync(damaged, gzipSync(copy));
    const truncated = join(dir, 'truncated.backup');
    writeFileSync(truncated, gzipSync(raw.subarray(0, Math.floor(raw.length / 2))));

    const target = await TestApp.start();
    try {
      await expect(target.app.get(BackupService).restore(damaged)).rejects.toThrow(
        /checksum|does not match|invalid/,
      );
      await expect(target.app.get(BackupService).restore(truncated)).rejects.toThrow(/truncated/);
      expect(await target.count('tenants')).toBe(0);
      expect(await target.count('customers')).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('re-encrypts every *_enc column to the newest key in resumable batches', async () => {
    const k2 = `k2:${Buffer.alloc(32, 9).toString('base64')}`;
    const both = new PiiCrypto({
      ...t.config,
      encryptionKeys: [...t.config.encryptionKeys, { id: 'k2', key: Buffer.alloc(32, 9) }],
    });
    const rotation = new KeyRotationService(t.database, both);
    const columns = (await rotation.columns()).map((c) => `${c.table}.${c.column}`);
    expect(columns).toEqual(
      expect.arrayContaining([
        'customers.phone_enc',
        'customers.address_enc',
        'customer_identities.value_enc',
        'privacy_requests.result_enc',
      ]),
    );
    const [before] = await t.sql<{ phone_enc: string }>(
      `SELECT phone_enc FROM customers WHERE tenant_id = $1 LIMIT 1`,
      [tenant.tenantId],
    );
    const plain = t.app.get(PiiCrypto).decrypt(before.phone_enc);

    // Stop after two small batches: part done, the rest still readable under k1.
    const partial = await rotation.rotate({ batchSize: 3, maxBatches: 2 });
    expect(partial.reduce((n, r) => n + r.rotated, 0)).toBe(6);
    expect(partial.reduce((n, r) => n + r.remaining, 0)).toBeGreaterThan(0);
    const status = await rotation.status();
    // Columns go in name order: customer_identities.value_enc (two per customer) first.
    const identities = status.find(
      (s) => s.table === 'customer_identities' && s.column === 'value_enc',
    )!;
    expect(identities.keys).toEqual({ k1: 8, k2: 6 });

    // Resume: finishes the rest.
    const rest = await rotation.rotate({ batchSize: 4 });
    expect(rest.every((r) => r.remaining === 0)).toBe(true);
    const values = await t.sql<{ v: string }>(
      `SELECT phone_enc AS v FROM customers UNION ALL SELECT value_enc FROM customer_identities UNION ALL SELECT result_enc FROM privacy_requests WHERE result_enc IS NOT NULL`,
    );
    expect(values.every((r) => r.v.startsWith('k2:'))).toBe(true);

    // Only k2 is needed now; the data reads back the same.
    const onlyK2 = new PiiCrypto({
      ...t.config,
      encryptionKeys: [{ id: 'k2', key: Buffer.alloc(32, 9) }],
    });
    const [after] = await t.sql<{ phone_enc: string }>(
      `SELECT phone_enc FROM customers WHERE id = (SELECT id FROM customers WHERE phone_enc = $1 OR true LIMIT 1)`,
      [before.phone_enc],
    );
    expect(onlyK2.decrypt(after.phone_enc)).toMatch(/^\+86/);
    expect(values.length).toBeGreaterThan(0);
    expect(plain).toMatch(/^\+86/);
    expect(k2).toContain('k2:');
    expect(TEST_SECRETS.KEHU_ENCRYPTION_KEYS.startsWith('k1:')).toBe(true);
  });
});
