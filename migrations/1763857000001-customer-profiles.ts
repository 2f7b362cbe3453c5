import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * What the customers feature adds on top of the lead's core table: postcode, search support
 * (pinyin prefix and trigram substring), tenant-defined attribute definitions, the interaction
 * log and follow-ups (回访).
 */
export class CustomerProfiles1763857000001 implements MigrationInterface {
  name = 'CustomerProfiles1763857000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(
      `ALTER TABLE customers ADD COLUMN postcode text, ADD COLUMN archived_at timestamptz`,
    );
    // Staff search: name substring (trigram), pinyin full / initials prefix, member no.
    await q.query(
      `CREATE INDEX customers_name_trgm_idx ON customers USING gin (lower(name) gin_trgm_ops)`,
    );
    await q.query(
      `CREATE INDEX customers_pinyin_idx ON customers (tenant_id, name_pinyin text_pattern_ops)`,
    );
    await q.query(
      `CREATE INDEX customers_initials_idx ON customers (tenant_id, name_initials text_pattern_ops)`,
    );
    await q.query(
      `CREATE INDEX customers_merged_into_idx ON customers (tenant_id, merged_into) WHERE merged_into IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE attribute_definitions (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        key text NOT NULL,
        label text NOT NULL,
        type text NOT NULL CHECK (type IN ('string', 'number', 'boolean', 'date', 'enum', 'multi_enum')),
        options text[] NOT NULL DEFAULT '{}',
        "group" text NOT NULL CHECK ("group" IN ('hard', 'soft')),
        weight numeric(8, 3) NOT NULL DEFAULT 1 CHECK (weight >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key)
      )`);
    await enableTenantRls(q, 'attribute_definitions');

    await q.query(`
      CREATE TABLE customer_interactions (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        customer_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('call', 'sms', 'email', 'wechat', 'visit', 'note')),
        summary text NOT NULL,
        outcome text,
        staff_id text,
        follow_up_id uuid,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX customer_interactions_customer_idx ON customer_interactions (tenant_id, customer_id, created_at DESC, id DESC)`,
    );
    await enableTenantRls(q, 'customer_interactions');

    // source_key makes rule-created follow-ups idempotent: one per rule, customer and period.
    await q.query(`
      CREATE TABLE customer_follow_ups (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        customer_id uuid NOT NULL,
        reason text NOT NULL,
        due_at timestamptz NOT NULL,
        assignee text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
        source text NOT NULL DEFAULT 'manual',
        source_key text,
        outcome text,
        completed_at timestamptz,
        completed_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX customer_follow_ups_customer_idx ON customer_follow_ups (tenant_id, customer_id)`,
    );
    await q.query(
      `CREATE INDEX customer_follow_ups_due_idx ON customer_follow_ups (tenant_id, status, due_at, id)`,
    );
    await q.query(
      `CREATE INDEX customer_follow_ups_assignee_idx ON customer_follow_ups (tenant_id, assignee, status, due_at, id)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX customer_follow_ups_source_key ON customer_follow_ups (tenant_id, source_key) WHERE source_key IS NOT NULL`,
    );
    await enableTenantRls(q, 'customer_follow_ups');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_follow_ups`);
    await q.query(`DROP TABLE customer_interactions`);
    await q.query(`DROP TABLE attribute_definitions`);
    await q.query(
      `DROP INDEX customers_merged_into_idx, customers_initials_idx, customers_pinyin_idx, customers_name_trgm_idx`,
    );
    await q.query(`ALTER TABLE customers DROP COLUMN archived_at, DROP COLUMN postcode`);
  }
}
