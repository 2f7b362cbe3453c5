import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, TENANT_SETTING } from '../src/database/rls';

/**
 * The customer's blind indexes and member number are compared in byte order ("C"), as the
 * identity key already is (ImportWritePath): every insert descends their B-trees (four of the
 * thirteen indexes of `customers`), and in the database's locale each comparison was a
 * strcoll on copies of both strings. The values are base64url digests and member numbers,
 * only ever compared for equality (look-up, search, duplicate finder), which byte order
 * decides exactly as the locale did; nothing sorts by them. `customer_search` reads these
 * columns, so it is dropped and created again unchanged around the change.
 */
export class CustomerKeyCollation1763866000000 implements MigrationInterface {
  name = 'CustomerKeyCollation1763866000000';

  async up(q: QueryRunner): Promise<void> {
    await this.alter(q, 'C');
  }

  async down(q: QueryRunner): Promise<void> {
    await this.alter(q, 'default');
  }

  private async alter(q: QueryRunner, collation: string): Promise<void> {
    await q.query(`DROP VIEW customer_search`);
    await q.query(
      `ALTER TABLE customers
         ALTER COLUMN member_no TYPE text COLLATE "${collation}",
         ALTER COLUMN phone_bidx TYPE text COLLATE "${collation}",
         ALTER COLUMN phone_tail_bidx TYPE text COLLATE "${collation}",
         ALTER COLUMN email_bidx TYPE text COLLATE "${collation}"`,
    );
    await q.query(`
      CREATE VIEW customer_search AS
        SELECT tenant_id, id, status, name, name_pinyin, name_initials, phone_bidx, phone_tail_bidx,
               email_bidx, member_no, tags, tier_code, store_id, registered_by, created_at
          FROM customers
         WHERE tenant_id = NULLIF(current_setting('${TENANT_SETTING}', true), '')::uuid`);
    await q.query(`REVOKE ALL ON customer_search FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT ON customer_search TO ${APP_ROLE}`);
  }
}
