import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Identity graph: the tenant's match rules (what happens when a write brings an identity that
 * another customer holds) and recorded merges. A merge keeps a snapshot of the source records
 * and of every row it moved, so it can be undone; the snapshot is deleted when a customer in it
 * is erased (the merge then cannot be undone).
 */
export class IdentityGraph1763863000000 implements MigrationInterface {
  name = 'IdentityGraph1763863000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity_match_rules (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        rules jsonb NOT NULL,
        version integer NOT NULL DEFAULT 1,
        updated_by text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id)
      )`);
    await enableTenantRls(q, 'identity_match_rules');

    await q.query(`
      CREATE TABLE customer_merges (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        survivor_id uuid NOT NULL,
        source_ids uuid[] NOT NULL,
        actor_kind text NOT NULL,
        actor_id text,
        reason text,
        rule text,
        status text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'undone', 'erased')),
        snapshot jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        undone_at timestamptz,
        undone_by text,
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX customer_merges_survivor_idx ON customer_merges (tenant_id, survivor_id, created_at DESC)`,
    );
    await q.query(
      `CREATE INDEX customer_merges_sources_idx ON customer_merges USING gin (source_ids)`,
    );
    await enableTenantRls(q, 'customer_merges');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_merges`);
    await q.query(`DROP TABLE identity_match_rules`);
  }
}
