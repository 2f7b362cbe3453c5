import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * The transactional outbox: modules insert event rows in the same transaction as the change;
 * the events module delivers them (feed, webhooks). `seq` is assigned by the dispatcher after
 * commit, so feed order never skips an event that committed late.
 */
export class EventOutbox1763856500000 implements MigrationInterface {
  name = 'EventOutbox1763856500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        type text NOT NULL,
        customer_id uuid,
        subject_type text,
        subject_id text,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        seq bigint,
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX events_seq_key ON events (tenant_id, seq) WHERE seq IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX events_unsequenced_idx ON events (tenant_id, created_at, id) WHERE seq IS NULL`,
    );
    await enableTenantRls(q, 'events');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE events`);
  }
}
