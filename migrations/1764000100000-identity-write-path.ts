import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `customer_identities → customers` cost a 1M-row customer import 6.1 s of RI checks (three
 * identities a customer) and, worse, each customer's first check locked its row FOR KEY SHARE:
 * ~990k heap lock WAL records, one a customer, on PostgreSQL's core, the import's busiest.
 * It also kept imports from storing a batch's identities before its customers, which lets the
 * identity insert's own uniqueness check stand for the batch's look-up.
 *
 * The key guards nothing that code does not already guarantee:
 * - identities are written only for a customer inserted earlier in the same transaction or
 *   read FOR UPDATE in it (CustomersService.create, CustomerIdentityClaimsService.attachIdentity
 *   via CustomerUpdatesService and landRegistration, CustomerMergeService.moveIdentities to its
 *   locked survivor, MergesService.undo back to the sources it locks and restores), or, in an import, for customers the same batch transaction inserts (their
 *   ids are fixed before either insert; a batch that fails rolls both back) or locks FOR UPDATE;
 * - no code deletes a customer: erasure and merge change its status, and erasure deletes the
 *   identities themselves (PersonalDataRepository).
 * RLS still confines every row to its tenant.
 */
export class IdentityWritePath1764000100000 implements MigrationInterface {
  name = 'IdentityWritePath1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE customer_identities DROP CONSTRAINT IF EXISTS customer_identities_tenant_id_customer_id_fkey`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE customer_identities ADD CONSTRAINT customer_identities_tenant_id_customer_id_fkey
         FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)`,
    );
  }
}
