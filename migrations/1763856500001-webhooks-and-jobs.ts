import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Delivery side of the outbox: the per-tenant sequence high-water mark, webhook subscriptions,
 * their deliveries and attempt log, and the scheduled-job run ledger.
 */
export class WebhooksAndJobs1763856500001 implements MigrationInterface {
  name = 'WebhooksAndJobs1763856500001';

  async up(q: QueryRunner): Promise<void> {
    // One row per tenant: the last seq handed out. Updated only by the sequencer, which holds
    // the tenant's advisory lock, so seqs are gap-free and strictly increasing per tenant.
    await q.query(`
      CREATE TABLE event_streams (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        last_seq bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id)
      )`);
    await enableTenantRls(q, 'event_streams');

    await q.query(`
      CREATE TABLE webhooks (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        url text NOT NULL,
        description text,
        events text[] NOT NULL,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        active boolean NOT NULL DEFAULT true,
        pii_allowed boolean NOT NULL DEFAULT false,
        consecutive_failures integer NOT NULL DEFAULT 0,
        disabled_reason text,
        version integer NOT NULL DEFAULT 1,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(`CREATE INDEX webhooks_active_idx ON webhooks (tenant_id) WHERE active`);
    await enableTenantRls(q, 'webhooks');

    await q.query(`
      CREATE TABLE webhook_deliveries (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        webhook_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_seq bigint NOT NULL,
        event_type text NOT NULL,
        customer_id uuid,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'delivering', 'succeeded', 'dead', 'suppressed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        locked_until timestamptz,
        last_status_code integer,
        last_latency_ms integer,
        last_error text,
        redelivery_of uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, webhook_id) REFERENCES webhooks (tenant_id, id) ON DELETE CASCADE
      )`);
    // Due work of a tenant, oldest first.
    await q.query(`
      CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (tenant_id, next_attempt_at, event_seq)
        WHERE status IN ('pending', 'delivering')`);
    // "Is an earlier delivery for this customer still open?" — the per-customer ordering probe.
    await q.query(`
      CREATE INDEX webhook_deliveries_open_customer_idx ON webhook_deliveries (tenant_id, webhook_id, customer_id, event_seq)
        WHERE status IN ('pending', 'delivering') AND customer_id IS NOT NULL`);
    await q.query(
      `CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (tenant_id, webhook_id, created_at DESC, id DESC)`,
    );
    await enableTenantRls(q, 'webhook_deliveries');

    await q.query(`
      CREATE TABLE webhook_delivery_attempts (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        delivery_id uuid NOT NULL,
        attempted_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
        status_code integer,
        latency_ms integer NOT NULL,
        error text,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX webhook_delivery_attempts_delivery_idx ON webhook_delivery_attempts (tenant_id, delivery_id, attempted_at)`,
    );
    await enableTenantRls(q, 'webhook_delivery_attempts');

    // Once per (tenant, job, tenant-local day): the primary key is the idempotency guarantee.
    await q.query(`
      CREATE TABLE scheduled_job_runs (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        job_name text NOT NULL,
        day date NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        run_after timestamptz NOT NULL,
        locked_until timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        last_error text,
        PRIMARY KEY (tenant_id, job_name, day)
      )`);
    await q.query(
      `CREATE INDEX scheduled_job_runs_due_idx ON scheduled_job_runs (tenant_id, run_after) WHERE status IN ('pending', 'running')`,
    );
    await enableTenantRls(q, 'scheduled_job_runs');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduled_job_runs`);
    await q.query(`DROP TABLE webhook_delivery_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhooks`);
    await q.query(`DROP TABLE event_streams`);
  }
}
