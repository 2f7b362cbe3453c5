import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, TENANT_SETTING } from '../src/database/rls';

/**
 * Staff search (GET /v1/customers?q=) that can use its indexes under row-level security.
 *
 * Under RLS every query predicate built on an operator that is not LEAKPROOF (LIKE, trigram,
 * array containment) is a security-barrier qual: PostgreSQL may neither use it as an index
 * condition nor read column statistics for it. So as `kehu_app` the pinyin and trigram indexes
 * were never used and estimates fell back to defaults: a query matching nothing (`zs`) walked
 * all 100k rows by created_at, a two-character name (`张伟`) ran a parallel sequential scan.
 *
 * `customer_search` is a plain view owned by the migration role (the table owner, to whom RLS
 * does not apply) carrying the tenant predicate of the RLS policy, so predicates on it plan like
 * ordinary ones. It exposes only the columns search filters on and is used only to find ids;
 * the rows themselves are read from `customers` under RLS (customers-search.repository.ts).
 * `kehu_app` may only SELECT from it: a simple view is updatable, and writes through it would
 * bypass the policy's WITH CHECK.
 *
 * Name substrings of one or two characters (a Chinese given name, `张伟`) have no trigram, so a
 * GIN index over the name's characters answers them (containment of the query's characters,
 * then the LIKE recheck).
 */
export class CustomerSearch1763864000000 implements MigrationInterface {
  name = 'CustomerSearch1763864000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW customer_search AS
        SELECT tenant_id, id, status, name, name_pinyin, name_initials, phone_bidx, phone_tail_bidx,
               email_bidx, member_no, tags, tier_code, store_id, registered_by, created_at
          FROM customers
         WHERE tenant_id = NULLIF(current_setting('${TENANT_SETTING}', true), '')::uuid`);
    await q.query(`REVOKE ALL ON customer_search FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT ON customer_search TO ${APP_ROLE}`);
    await q.query(
      `CREATE INDEX customers_name_chars_idx ON customers USING gin (string_to_array(lower(name), NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX customers_name_chars_idx`);
    await q.query(`DROP VIEW customer_search`);
  }
}
