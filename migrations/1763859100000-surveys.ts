import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Satisfaction surveys, their questions and responses. A response keeps its NPS and CSAT
 * scores in columns (results aggregate them) and every answer in `answers`. `dedupe_key` is
 * the customer id or anonymous link token when the survey allows one response per respondent
 * and NULL when repeats are allowed, so the unique index enforces the rule under concurrency.
 */
export class Surveys1763859100000 implements MigrationInterface {
  name = 'Surveys1763859100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surveys (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        name text NOT NULL,
        description text,
        store_id text,
        allow_repeat boolean NOT NULL DEFAULT false,
        allow_anonymous boolean NOT NULL DEFAULT true,
        reward_points integer NOT NULL DEFAULT 0 CHECK (reward_points >= 0),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX surveys_created_idx ON surveys (tenant_id, created_at DESC, id DESC)`,
    );
    await enableTenantRls(q, 'surveys');

    await q.query(`
      CREATE TABLE survey_questions (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        survey_id uuid NOT NULL,
        position smallint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('nps', 'csat', 'single_choice', 'multi_choice', 'text', 'rating')),
        prompt text NOT NULL,
        options text[] NOT NULL DEFAULT '{}',
        required boolean NOT NULL DEFAULT true,
        scale_max smallint,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, survey_id) REFERENCES surveys (tenant_id, id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX survey_questions_position_key ON survey_questions (tenant_id, survey_id, position)`,
    );
    await enableTenantRls(q, 'survey_questions');

    await q.query(`
      CREATE TABLE survey_responses (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        survey_id uuid NOT NULL,
        customer_id uuid,
        link_token text,
        dedupe_key text,
        store_id text,
        nps_score smallint CHECK (nps_score BETWEEN 0 AND 10),
        csat_score smallint CHECK (csat_score BETWEEN 1 AND 5),
        answers jsonb NOT NULL,
        points_awarded integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, survey_id) REFERENCES surveys (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
        CHECK (customer_id IS NOT NULL OR link_token IS NOT NULL)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX survey_responses_dedupe_key ON survey_responses (tenant_id, survey_id, dedupe_key) WHERE dedupe_key IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX survey_responses_survey_idx ON survey_responses (tenant_id, survey_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX survey_responses_created_idx ON survey_responses (tenant_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX survey_responses_customer_idx ON survey_responses (tenant_id, customer_id) WHERE customer_id IS NOT NULL`,
    );
    await enableTenantRls(q, 'survey_responses');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE survey_responses`);
    await q.query(`DROP TABLE survey_questions`);
    await q.query(`DROP TABLE surveys`);
  }
}
