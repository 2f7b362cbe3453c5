import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A 1M-row customer import writes three identity rows per customer; per row PostgreSQL paid a
 * foreign-key check to `tenants` and two descents of the identity key, whose text compared in
 * the database's locale.
 *
 * - `customer_identities → tenants` guards nothing: the composite key `(tenant_id,
 *   customer_id) → customers (tenant_id, id)` already requires a customer of the same tenant,
 *   and `customers → tenants` requires the tenant. Exactly the same rows stay possible.
 *   (`events → tenants` went in MembershipWritePath.)
 * - The identity key `(tenant_id, type, namespace, value_bidx)` compared its text with strcoll
 *   on copies of both strings at every step of every descent: 10 % of PostgreSQL's time in
 *   the import, on a B-tree of random keys probed twice per identity. Its values are ASCII
 *   codes and base64url digests that are only ever compared for equality, which byte order
 *   ("C") decides exactly as the locale did; nothing sorts by them.
 */
export class ImportWritePath1763865800000 implements MigrationInterface {
  name = 'ImportWritePath1763865800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE customer_identities DROP CONSTRAINT IF EXISTS customer_identities_tenant_id_fkey`,
    );
    await q.query(
      `ALTER TABLE customer_identities ALTER COLUMN type TYPE text COLLATE "C",
         ALTER COLUMN namespace TYPE text COLLATE "C", ALTER COLUMN value_bidx TYPE text COLLATE "C"`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE customer_identities ALTER COLUMN type TYPE text COLLATE "default",
         ALTER COLUMN namespace TYPE text COLLATE "default", ALTER COLUMN value_bidx TYPE text COLLATE "default"`,
    );
    await q.query(
      `ALTER TABLE customer_identities ADD CONSTRAINT customer_identities_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id)`,
    );
  }
}
