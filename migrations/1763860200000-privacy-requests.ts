import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Data-subject requests (access, export, correction, erasure, restriction) and the active
 * processing restrictions they create. Export bundles are personal data, so the result is
 * stored encrypted (`result_enc`, rotated with the other *_enc columns).
 */
export class PrivacyRequests1763860200000 implements MigrationInterface {
  name = 'PrivacyRequests1763860200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE privacy_requests (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        customer_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('access', 'export', 'correction', 'erasure', 'restriction')),
        status text NOT NULL CHECK (status IN ('received', 'completed', 'rejected')),
        requested_by text NOT NULL,
        note text,
        patch_enc text,
        result_enc text,
        result_summary jsonb,
        deadline_at timestamptz NOT NULL,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX privacy_requests_customer_idx ON privacy_requests (tenant_id, customer_id, created_at DESC)`,
    );
    await enableTenantRls(q, 'privacy_requests');

    await q.query(`
      CREATE TABLE privacy_restrictions (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        customer_id uuid NOT NULL,
        request_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, customer_id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
      )`);
    await enableTenantRls(q, 'privacy_restrictions');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE privacy_restrictions`);
    await q.query(`DROP TABLE privacy_requests`);
  }
}
