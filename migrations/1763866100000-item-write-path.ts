import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `transaction_items → transactions` cost every item line an RI trigger (two a sale in bench
 * `tx-single`, 1,500 a batch of 500 in `tx-batch`). Worse, the check's plan is cached per
 * connection: made while `transactions` is young (no statistics yet), it can probe
 * `transactions_source_external_key` on the tenant prefix and walk the tenant's receipts for
 * every line (~1,900 buffer hits a check at 2,000 receipts, pg_stat_statements/auto_explain)
 * until an autoanalyze invalidates it. Items are written only in the statement that writes
 * their receipt (TransactionsRepository), and the one delete of receipts (a failed return
 * inside its own posting) deletes their items explicitly, so the key guards nothing that code
 * does not already guarantee.
 */
export class ItemWritePath1763866100000 implements MigrationInterface {
  name = 'ItemWritePath1763866100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE transaction_items DROP CONSTRAINT IF EXISTS transaction_items_tenant_id_transaction_id_fkey`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE transaction_items ADD CONSTRAINT transaction_items_tenant_id_transaction_id_fkey
         FOREIGN KEY (tenant_id, transaction_id) REFERENCES transactions (tenant_id, id) ON DELETE CASCADE`,
    );
  }
}
