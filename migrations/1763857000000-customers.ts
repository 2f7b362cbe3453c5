import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * The customer record and its identities. Personal data is stored encrypted (`*_enc`, with
 * the key id inside the value) and found through keyed blind indexes (`*_bidx`); birth month
 * and year stay in clear for campaigns and age bands. Loyalty caches (tier, points balance)
 * live on the row so the POS look-up is one indexed read.
 */
export class Customers1763857000000 implements MigrationInterface {
  name = 'Customers1763857000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customers (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        member_no text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived', 'merged', 'erased')),
        merged_into uuid,
        name text,
        name_pinyin text,
        name_initials text,
        gender text NOT NULL DEFAULT 'unknown' CHECK (gender IN ('female', 'male', 'other', 'unknown')),
        birth_year smallint,
        birth_month smallint CHECK (birth_month BETWEEN 1 AND 12),
        birth_day smallint CHECK (birth_day BETWEEN 1 AND 31),
        birthday_enc text,
        phone_enc text,
        phone_bidx text,
        phone_tail_bidx text,
        email_enc text,
        email_bidx text,
        address_enc text,
        province text,
        city text,
        district text,
        clothing_size text,
        shoe_size text,
        preferred_store_id text,
        store_id text,
        registered_by text,
        tags text[] NOT NULL DEFAULT '{}',
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        completeness smallint NOT NULL DEFAULT 0,
        tier_code text,
        tier_since timestamptz,
        points_balance bigint NOT NULL DEFAULT 0,
        confirmed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX customers_member_no_key ON customers (tenant_id, member_no)`,
    );
    await q.query(
      `CREATE INDEX customers_phone_bidx_idx ON customers (tenant_id, phone_bidx) WHERE phone_bidx IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX customers_phone_tail_idx ON customers (tenant_id, phone_tail_bidx) WHERE phone_tail_bidx IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX customers_email_bidx_idx ON customers (tenant_id, email_bidx) WHERE email_bidx IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX customers_created_idx ON customers (tenant_id, created_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX customers_store_idx ON customers (tenant_id, store_id)`);
    await q.query(`CREATE INDEX customers_tags_idx ON customers USING gin (tags)`);
    await q.query(
      `CREATE INDEX customers_attributes_idx ON customers USING gin (attributes jsonb_path_ops)`,
    );
    await enableTenantRls(q, 'customers');

    // One row per way of recognising a person. namespace is '' where the type is global in
    // the tenant (phone, email, member_no) and the app id / source system otherwise.
    await q.query(`
      CREATE TABLE customer_identities (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        customer_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('phone', 'email', 'member_no', 'wechat_openid', 'wechat_unionid',
                                           'wework_external_userid', 'external')),
        namespace text NOT NULL DEFAULT '',
        value_enc text NOT NULL,
        value_bidx text NOT NULL,
        verified boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX customer_identities_value_key ON customer_identities (tenant_id, type, namespace, value_bidx)`,
    );
    await q.query(
      `CREATE INDEX customer_identities_customer_idx ON customer_identities (tenant_id, customer_id)`,
    );
    await enableTenantRls(q, 'customer_identities');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_identities`);
    await q.query(`DROP TABLE customers`);
  }
}
