import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * The audit log: who touched whose personal data. Entries are hash-chained per tenant
 * (`prev_hash` is the predecessor's `hash`, `seq` orders the chain) and a trigger refuses
 * UPDATE, DELETE and TRUNCATE for every role, the owner included, so the app cannot rewrite
 * history and an intruder has to disable the trigger first (which verify then detects).
 */
export class AuditLog1763860100000 implements MigrationInterface {
  name = 'AuditLog1763860100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        seq bigint NOT NULL,
        id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_kind text NOT NULL,
        actor_id text NOT NULL,
        action text NOT NULL,
        resource text NOT NULL,
        customer_ids uuid[] NOT NULL DEFAULT '{}',
        fields text[] NOT NULL DEFAULT '{}',
        outcome text NOT NULL,
        request_id text,
        ip text,
        details jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        PRIMARY KEY (tenant_id, seq)
      )`);
    await q.query(`CREATE INDEX audit_log_customers_idx ON audit_log USING gin (customer_ids)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (tenant_id, actor_id, seq DESC)`);
    await q.query(`CREATE INDEX audit_log_time_idx ON audit_log (tenant_id, occurred_at DESC)`);
    await enableTenantRls(q, 'audit_log');

    await q.query(`
      CREATE OR REPLACE FUNCTION kehu_audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION kehu_audit_log_immutable()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION kehu_audit_log_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION kehu_audit_log_immutable()`);
  }
}
