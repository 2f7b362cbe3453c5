import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../src/database/rls';

/**
 * Consent: an append-only history of consent events per customer × purpose × channel and the
 * derived current state (one row per key) that enforcement reads. `channel` is '' for
 * purposes that have no channel, so the key stays a plain primary key.
 */
export class Consent1763860000000 implements MigrationInterface {
  name = 'Consent1763860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent_events (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        id uuid NOT NULL,
        customer_id uuid NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('marketing', 'analytics', 'profiling', 'third_party_sharing', 'sensitive_data', 'cross_border')),
        channel text NOT NULL DEFAULT '' CHECK (channel IN ('', 'sms', 'email', 'phone', 'wechat', 'push', 'mail')),
        status text NOT NULL CHECK (status IN ('granted', 'withdrawn')),
        source text NOT NULL,
        evidence jsonb NOT NULL,
        guardian jsonb,
        actor text NOT NULL,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX consent_events_customer_idx ON consent_events (tenant_id, customer_id, occurred_at DESC, id DESC)`,
    );
    await enableTenantRls(q, 'consent_events');

    await q.query(`
      CREATE TABLE consent_state (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        customer_id uuid NOT NULL,
        purpose text NOT NULL,
        channel text NOT NULL DEFAULT '',
        status text NOT NULL CHECK (status IN ('granted', 'withdrawn')),
        guardian boolean NOT NULL DEFAULT false,
        source text NOT NULL,
        event_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, customer_id, purpose, channel),
        FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
      )`);
    // Channel exports walk "who granted marketing on sms" without touching withdrawn rows.
    await q.query(`
      CREATE INDEX consent_state_granted_idx ON consent_state (tenant_id, purpose, channel, customer_id)
        WHERE status = 'granted'`);
    await enableTenantRls(q, 'consent_state');

    // Under 14 on the customer's clear birth columns. An unknown month or day counts as the
    // latest possible one, so an uncertain birthday errs towards "minor".
    await q.query(`
      CREATE OR REPLACE FUNCTION kehu_under_14(birth_year smallint, birth_month smallint, birth_day smallint, today date)
      RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
        SELECT birth_year IS NOT NULL
           AND (birth_year::int, coalesce(birth_month, 12)::int, coalesce(birth_day, 31)::int)
             > (extract(year FROM today)::int - 14, extract(month FROM today)::int, extract(day FROM today)::int)
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION kehu_under_14(smallint, smallint, smallint, date)`);
    await q.query(`DROP TABLE consent_state`);
    await q.query(`DROP TABLE consent_events`);
  }
}
