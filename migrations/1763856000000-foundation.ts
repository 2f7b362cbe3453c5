import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, enableTenantRls } from '../src/database/rls';

/**
 * Tenants, API clients, staff users and idempotency records, plus the RLS role every request
 * transaction switches to and a UUIDv7 generator for set-based inserts.
 */
export class Foundation1763856000000 implements MigrationInterface {
  name = 'Foundation1763856000000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: several Kehu databases on one server share it.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await q.query(`
      DO $$ BEGIN
        EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
      EXCEPTION WHEN others THEN NULL;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await q.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`,
    );
    await q.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`,
    );
    await q.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO ${APP_ROLE}`,
    );

    // UUIDv7 in SQL (PostgreSQL 18 has uuidv7(), 15–17 do not): a random v4 with its first
    // 48 bits replaced by Unix milliseconds and the version nibble set to 7.
    await q.query(`
      CREATE OR REPLACE FUNCTION kehu_uuid7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
        SELECT encode(
          set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1), 'hex')::uuid
      $$`);

    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY,
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        currency char(3) NOT NULL,
        region char(2) NOT NULL,
        time_zone text NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Request transactions read their own tenant row (currency, time zone, settings).
    await enableTenantRlsOnTenants(q);

    await q.query(`
      CREATE TABLE api_clients (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        client_id text NOT NULL,
        secret_hash text NOT NULL,
        name text NOT NULL,
        scopes text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        PRIMARY KEY (tenant_id, id)
      )`);
    // client_id is the public handle used before the tenant is known, so it is unique globally.
    await q.query(`CREATE UNIQUE INDEX api_clients_client_id_key ON api_clients (client_id)`);
    await enableTenantRls(q, 'api_clients');

    await q.query(`
      CREATE TABLE staff_users (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        email text NOT NULL,
        password_hash text NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'manager', 'staff', 'auditor')),
        store_id text,
        active boolean NOT NULL DEFAULT true,
        failed_logins integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX staff_users_email_key ON staff_users (tenant_id, lower(email))`,
    );
    await enableTenantRls(q, 'staff_users');

    await q.query(`
      CREATE TABLE idempotency_keys (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        principal text NOT NULL,
        key text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'done')),
        response_status integer,
        response_body jsonb,
        response_headers jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (tenant_id, principal, key)
      )`);
    await q.query(
      `CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (tenant_id, created_at)`,
    );
    await enableTenantRls(q, 'idempotency_keys');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE staff_users`);
    await q.query(`DROP TABLE api_clients`);
    await q.query(`DROP TABLE tenants`);
    await q.query(`DROP FUNCTION kehu_uuid7()`);
  }
}

async function enableTenantRlsOnTenants(q: QueryRunner): Promise<void> {
  await q.query(`ALTER TABLE tenants ENABLE ROW LEVEL SECURITY`);
  await q.query(
    `CREATE POLICY tenant_isolation ON tenants USING (id = NULLIF(current_setting('kehu.tenant_id', true), '')::uuid)`,
  );
}
