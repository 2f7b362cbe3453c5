import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rows every sale writes (a single sale touches each of these tables once or twice). */
const PER_SALE_TABLES = [
  'transactions',
  'transaction_items',
  'points_ledger',
  'points_lots',
  'customer_stats',
  'customer_category_stats',
  'customer_store_stats',
  'customer_monthly_spend',
];

/**
 * The posting path (bench `tx-single`): a sale wrote ~11 rows (besides its events) whose foreign key to `tenants`
 * each fired an RI trigger that locks the one tenant row FOR KEY SHARE. Every concurrent
 * posting of a tenant locks that same row, so PostgreSQL builds a new multixact per lock and
 * takes the tenant page's buffer lock exclusively: the checks serialise on one page. As for
 * audit_log and events (AuditWritePath, MembershipWritePath), the tenant id comes from the
 * verified token, RLS's WITH CHECK holds every row to the transaction's tenant, and tenants
 * are never deleted, so the checks guard nothing. The item → transaction key stays (a failed return's delete cascades).
 *
 * customers: a sale rewrites the loyalty caches (balance, tier) of its customer. Those columns
 * are in no index, so the update can be HOT — if the page has room; at the default fillfactor
 * (100) an imported customer base has none, and each update inserted into all 14 indexes
 * (four of them GIN). Fillfactor 85 leaves that room on pages written from now on.
 */
export class PostingWritePath1763865900000 implements MigrationInterface {
  name = 'PostingWritePath1763865900000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of PER_SALE_TABLES)
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_tenant_id_fkey`);
    await q.query(`ALTER TABLE customers SET (fillfactor = 85)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers RESET (fillfactor)`);
    for (const table of PER_SALE_TABLES)
      await q.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id)`,
      );
  }
}
