import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Complaints, suggestions, praise and inquiries with their workflow history and notes thread.
 * `version` is the optimistic-concurrency counter transitions compare against, so of two
 * concurrent transitions on one item exactly one commits. `transaction_id` has no foreign key:
 * transactions belong to another module, which checks ownership through its service.
 */
export class Feedback1763859000000 implements MigrationInterface {
  name = 'Feedback1763859000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE feedback (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        customer_id uuid,
        type text NOT NULL CHECK (type IN ('complaint', 'suggestion', 'praise', 'inquiry')),
        channel text NOT NULL CHECK (channel IN ('store', 'phone', 'wechat', 'email', 'web', 'survey')),
        severity text NOT NULL CHECK (severity IN ('low', 'normal', 'high', 'critical')),
        status text NOT NULL DEFAULT 'received'
          CHECK (status IN ('received', 'acknowledged', 'in_progress', 'resolved', 'reopened', 'closed')),
        subject text NOT NULL,
        body text NOT NULL,
        store_id text NOT NULL,
        transaction_id uuid,
        assignee text,
        category text,
        resolution text,
        due_at timestamptz NOT NULL,
        first_response_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        overdue_notified_at timestamptz,
        created_by text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX feedback_created_idx ON feedback (tenant_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX feedback_status_idx ON feedback (tenant_id, status, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX feedback_store_idx ON feedback (tenant_id, store_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX feedback_customer_idx ON feedback (tenant_id, customer_id) WHERE customer_id IS NOT NULL`,
    );
    // The overdue filter and the overdue job read open items by due time.
    await q.query(
      `CREATE INDEX feedback_open_due_idx ON feedback (tenant_id, due_at) WHERE status NOT IN ('resolved', 'closed')`,
    );
    await enableTenantRls(q, 'feedback');

    await q.query(`
      CREATE TABLE feedback_transitions (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        feedback_id uuid NOT NULL,
        from_status text NOT NULL,
        to_status text NOT NULL,
        actor text NOT NULL,
        note text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, feedback_id) REFERENCES feedback (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX feedback_transitions_item_idx ON feedback_transitions (tenant_id, feedback_id, created_at, id)`,
    );
    await enableTenantRls(q, 'feedback_transitions');

    await q.query(`
      CREATE TABLE feedback_notes (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        feedback_id uuid NOT NULL,
        author text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, feedback_id) REFERENCES feedback (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX feedback_notes_item_idx ON feedback_notes (tenant_id, feedback_id, created_at DESC, id DESC)`,
    );
    await enableTenantRls(q, 'feedback_notes');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE feedback_notes`);
    await q.query(`DROP TABLE feedback_transitions`);
    await q.query(`DROP TABLE feedback`);
  }
}
