import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls, TENANT_SETTING } from '../src/database/rls';

/** The write check as an InitPlan, once per statement (see WriteCheckOnce1763900500001). */
const PER_STATEMENT = `tenant_id = (SELECT NULLIF(current_setting('${TENANT_SETTING}', true), '')::uuid)`;

/**
 * Sequencing no longer rewrites event rows. `UPDATE events SET seq` was a non-HOT update of a
 * wide row (jsonb payload): a new heap tuple, primary-key and events_seq_key entries, ~16 µs of
 * PostgreSQL time an event (bench `tx-batch`, pg_stat_statements), and every writer also paid
 * an events_unsequenced_idx entry that turned dead a moment later. Now:
 *
 * - `event_queue` holds the key of each event not yet sequenced; writers insert it in the
 *   statement that inserts the event, the sequencer deletes it.
 * - `event_seqs` is the tenant's stream: seq → event id, written once by the sequencer.
 *
 * Both are narrow (~40 bytes a row). No foreign keys: both are written only by the outbox and
 * the sequencer, next to an event row of the same tenant, and an RI check a row would cost
 * the write path more than the rest of the row (see ItemWritePath1763866100000).
 */
export class EventSeqTables1764000000000 implements MigrationInterface {
  name = 'EventSeqTables1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_queue (
        tenant_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        id uuid NOT NULL,
        PRIMARY KEY (tenant_id, created_at, id)
      )`);
    await q.query(`
      CREATE TABLE event_seqs (
        tenant_id uuid NOT NULL,
        seq bigint NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (tenant_id, seq)
      )`);
    for (const table of ['event_queue', 'event_seqs']) {
      await enableTenantRls(q, table);
      await q.query(`ALTER POLICY tenant_isolation ON ${table} WITH CHECK (${PER_STATEMENT})`);
    }

    await q.query(`
      INSERT INTO event_seqs (tenant_id, seq, event_id)
      SELECT tenant_id, seq, id FROM events WHERE seq IS NOT NULL`);
    await q.query(`
      INSERT INTO event_queue (tenant_id, created_at, id)
      SELECT tenant_id, created_at, id FROM events WHERE seq IS NULL`);
    await q.query(`DROP INDEX events_unsequenced_idx`);
    await q.query(`DROP INDEX events_seq_key`);
    await q.query(`ALTER TABLE events DROP COLUMN seq`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events ADD COLUMN seq bigint`);
    await q.query(`
      UPDATE events e SET seq = s.seq
        FROM event_seqs s
       WHERE s.tenant_id = e.tenant_id AND s.event_id = e.id`);
    await q.query(
      `CREATE UNIQUE INDEX events_seq_key ON events (tenant_id, seq) WHERE seq IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX events_unsequenced_idx ON events (tenant_id, created_at, id) WHERE seq IS NULL`,
    );
    await q.query(`DROP TABLE event_seqs`);
    await q.query(`DROP TABLE event_queue`);
  }
}
