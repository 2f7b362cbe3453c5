import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Segments: definitions (query text and its checked JSON tree), materialised membership,
 * refresh jobs, per-customer RFM scores and the tenant's classification settings.
 * Membership is a plain (tenant, segment, customer) table so refreshes diff it set-based and
 * exports walk it with a cursor.
 */
export class Segments1763861000000 implements MigrationInterface {
  name = 'Segments1763861000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE segments (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        name text NOT NULL,
        description text,
        query_text text,
        query_tree jsonb NOT NULL,
        builtin_key text,
        member_count integer NOT NULL DEFAULT 0,
        refreshed_at timestamptz,
        created_by text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX segments_name_key ON segments (tenant_id, lower(name))`);
    await q.query(
      `CREATE UNIQUE INDEX segments_builtin_key ON segments (tenant_id, builtin_key) WHERE builtin_key IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX segments_created_idx ON segments (tenant_id, created_at DESC, id DESC)`,
    );
    await enableTenantRls(q, 'segments');

    await q.query(`
      CREATE TABLE segment_members (
        tenant_id uuid NOT NULL,
        segment_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        entered_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, segment_id, customer_id),
        FOREIGN KEY (tenant_id, segment_id) REFERENCES segments (tenant_id, id) ON DELETE CASCADE
      )`);
    // "Which segments is this customer in" (customer view, merges).
    await q.query(
      `CREATE INDEX segment_members_customer_idx ON segment_members (tenant_id, customer_id)`,
    );
    await enableTenantRls(q, 'segment_members');

    await q.query(`
      CREATE TABLE segment_refresh_jobs (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        segment_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        requested_by text,
        member_count integer,
        entered_count integer,
        exited_count integer,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, segment_id) REFERENCES segments (tenant_id, id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX segment_refresh_jobs_segment_idx ON segment_refresh_jobs (tenant_id, segment_id, created_at DESC)`,
    );
    await enableTenantRls(q, 'segment_refresh_jobs');

    // Scores are 1–5 (5 best) by quintile over the tenant's purchasers; non-purchasers have no row.
    await q.query(`
      CREATE TABLE customer_rfm (
        tenant_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        r_score smallint NOT NULL CHECK (r_score BETWEEN 1 AND 5),
        f_score smallint NOT NULL CHECK (f_score BETWEEN 1 AND 5),
        m_score smallint NOT NULL CHECK (m_score BETWEEN 1 AND 5),
        segment text NOT NULL,
        recency_days integer NOT NULL,
        frequency integer NOT NULL,
        monetary_minor bigint NOT NULL,
        spend_12m_minor bigint NOT NULL,
        frequency_class text NOT NULL CHECK (frequency_class IN ('high', 'mid', 'low')),
        spend_class text NOT NULL CHECK (spend_class IN ('high', 'mid', 'low')),
        gold boolean NOT NULL DEFAULT false,
        computed_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, customer_id)
      )`);
    await q.query(`CREATE INDEX customer_rfm_segment_idx ON customer_rfm (tenant_id, segment)`);
    await q.query(
      `CREATE INDEX customer_rfm_grid_idx ON customer_rfm (tenant_id, r_score, f_score)`,
    );
    await enableTenantRls(q, 'customer_rfm');

    // Null thresholds mean "tertiles of the tenant's purchasers", the manuals' default.
    await q.query(`
      CREATE TABLE segment_settings (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        gold_top_percent smallint NOT NULL DEFAULT 20 CHECK (gold_top_percent BETWEEN 1 AND 100),
        gold_min_purchases integer NOT NULL DEFAULT 2 CHECK (gold_min_purchases >= 0),
        lapsed_days integer NOT NULL DEFAULT 180 CHECK (lapsed_days > 0),
        frequency_high_min integer,
        frequency_mid_min integer,
        spend_high_min_minor bigint,
        spend_mid_min_minor bigint,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id)
      )`);
    await enableTenantRls(q, 'segment_settings');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE segment_settings`);
    await q.query(`DROP TABLE customer_rfm`);
    await q.query(`DROP TABLE segment_refresh_jobs`);
    await q.query(`DROP TABLE segment_members`);
    await q.query(`DROP TABLE segments`);
  }
}
