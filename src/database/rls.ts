import type { QueryRunner } from 'typeorm';

/** The role request transactions switch to, so row-level security applies to them. */
export const APP_ROLE = 'kehu_app';

/** The per-transaction setting the policies read. */
export const TENANT_SETTING = 'kehu.tenant_id';

/**
 * Turns on the tenant wall for one table: rows are visible and writable only when the
 * transaction's tenant setting equals the row's tenant_id. With no setting nothing is visible.
 * NULLIF guards against the empty string a session keeps after a local setting ends.
 */
export async function enableTenantRls(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(
    `CREATE POLICY tenant_isolation ON ${table}
       USING (tenant_id = NULLIF(current_setting('${TENANT_SETTING}', true), '')::uuid)
       WITH CHECK (tenant_id = NULLIF(current_setting('${TENANT_SETTING}', true), '')::uuid)`,
  );
}
