import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Sales and returns (with line items), per-customer purchase stats, the loyalty program, the
 * append-only points ledger and the FIFO points lots it draws from. The customer row keeps
 * tier_code / tier_since / points_balance as a cache owned by the loyalty repository.
 */
export class TransactionsLoyalty1763858000000 implements MigrationInterface {
  name = 'TransactionsLoyalty1763858000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transactions (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        source text NOT NULL,
        external_id text NOT NULL,
        type text NOT NULL CHECK (type IN ('sale', 'return')),
        customer_id uuid,
        store_id text,
        occurred_at timestamptz NOT NULL,
        currency char(3) NOT NULL,
        total_minor bigint NOT NULL CHECK (total_minor >= 0),
        item_count numeric(14, 3) NOT NULL DEFAULT 0,
        original_id uuid,
        original_external_id text,
        points bigint NOT NULL DEFAULT 0,
        request_hash text NOT NULL,
        response jsonb,
        claimed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    // The POS retry key: a receipt is stored once per source however often it is posted.
    await q.query(
      `CREATE UNIQUE INDEX transactions_source_external_key ON transactions (tenant_id, source, external_id)`,
    );
    await q.query(
      `CREATE INDEX transactions_customer_idx ON transactions (tenant_id, customer_id, created_at DESC, id DESC) WHERE customer_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX transactions_original_idx ON transactions (tenant_id, original_id) WHERE original_id IS NOT NULL`,
    );
    await enableTenantRls(q, 'transactions');

    await q.query(`
      CREATE TABLE transaction_items (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        transaction_id uuid NOT NULL,
        line_no integer NOT NULL,
        sku text NOT NULL,
        name text,
        category text,
        quantity numeric(14, 3) NOT NULL CHECK (quantity > 0),
        unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
        amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
        PRIMARY KEY (tenant_id, transaction_id, line_no),
        FOREIGN KEY (tenant_id, transaction_id) REFERENCES transactions (tenant_id, id) ON DELETE CASCADE
      )`);
    await enableTenantRls(q, 'transaction_items');

    // Counters kept in the sale's own database transaction; favourites and the 12-month spend
    // are read from the breakdown tables below, so nothing here goes stale with the calendar.
    await q.query(`
      CREATE TABLE customer_stats (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        customer_id uuid NOT NULL,
        first_purchase_at timestamptz,
        last_purchase_at timestamptz,
        purchase_count integer NOT NULL DEFAULT 0,
        return_count integer NOT NULL DEFAULT 0,
        items_purchased numeric(16, 3) NOT NULL DEFAULT 0,
        items_returned numeric(16, 3) NOT NULL DEFAULT 0,
        sales_minor bigint NOT NULL DEFAULT 0,
        returns_minor bigint NOT NULL DEFAULT 0,
        lapsed_notified_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, customer_id)
      )`);
    await q.query(
      `CREATE INDEX customer_stats_last_purchase_idx ON customer_stats (tenant_id, last_purchase_at)`,
    );
    await enableTenantRls(q, 'customer_stats');

    await q.query(`
      CREATE TABLE customer_category_stats (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        customer_id uuid NOT NULL,
        category text NOT NULL,
        spent_minor bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, customer_id, category)
      )`);
    await enableTenantRls(q, 'customer_category_stats');

    await q.query(`
      CREATE TABLE customer_store_stats (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        customer_id uuid NOT NULL,
        store_id text NOT NULL,
        purchase_count integer NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, customer_id, store_id)
      )`);
    await enableTenantRls(q, 'customer_store_stats');

    // Net spend per tenant-local calendar month: the rolling 12-month spend is a sum of 12 rows.
    await q.query(`
      CREATE TABLE customer_monthly_spend (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        customer_id uuid NOT NULL,
        month date NOT NULL,
        spent_minor bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, customer_id, month)
      )`);
    await enableTenantRls(q, 'customer_monthly_spend');

    await q.query(`
      CREATE TABLE loyalty_programs (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        currency char(3) NOT NULL,
        points_per_unit numeric(12, 4) NOT NULL CHECK (points_per_unit > 0),
        rounding text NOT NULL CHECK (rounding IN ('floor', 'round', 'ceil')),
        expiry_months integer CHECK (expiry_months > 0),
        tiers jsonb NOT NULL,
        earn_rules jsonb NOT NULL DEFAULT '{}'::jsonb,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id)
      )`);
    await enableTenantRls(q, 'loyalty_programs');

    // Append-only: rows are inserted, never updated or deleted (except when a merge moves them).
    await q.query(`
      CREATE TABLE points_ledger (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        customer_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('earn', 'redeem', 'adjust', 'expire', 'reverse')),
        points bigint NOT NULL,
        reason text NOT NULL,
        source text NOT NULL,
        external_id text,
        actor text NOT NULL,
        transaction_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX points_ledger_customer_idx ON points_ledger (tenant_id, customer_id, created_at DESC, id DESC)`,
    );
    // Redemptions, adjustments and awards are idempotent by their caller's external id.
    await q.query(
      `CREATE UNIQUE INDEX points_ledger_external_key ON points_ledger (tenant_id, kind, source, external_id) WHERE external_id IS NOT NULL`,
    );
    await enableTenantRls(q, 'points_ledger');

    await q.query(`
      CREATE TABLE points_lots (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        customer_id uuid NOT NULL,
        transaction_id uuid,
        points bigint NOT NULL CHECK (points > 0),
        remaining bigint NOT NULL CHECK (remaining >= 0),
        earned_at timestamptz NOT NULL,
        expires_at timestamptz,
        expiring_notified_at timestamptz,
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX points_lots_open_idx ON points_lots (tenant_id, customer_id, expires_at, earned_at) WHERE remaining > 0`,
    );
    await q.query(
      `CREATE INDEX points_lots_expiry_idx ON points_lots (tenant_id, expires_at) WHERE remaining > 0`,
    );
    await enableTenantRls(q, 'points_lots');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'points_lots',
      'points_ledger',
      'loyalty_programs',
      'customer_monthly_spend',
      'customer_store_stats',
      'customer_category_stats',
      'customer_stats',
      'transaction_items',
      'transactions',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
