import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * customer_rfm is rewritten whole for a tenant on every recompute (a million rows for a large
 * tenant), and each secondary index costs that rewrite a third more. Nothing needs them: the
 * rule `rfm.segment = …` and `rfm.r/f` join the tenant's scores by hash (they read most rows
 * anyway), and the RFM report aggregates all of them; the primary key serves look-ups by
 * customer and the tenant prefix. Measured in bench/segment-refresh.
 */
export class RfmWritePath1763864500000 implements MigrationInterface {
  name = 'RfmWritePath1763864500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX customer_rfm_segment_idx`);
    await q.query(`DROP INDEX customer_rfm_grid_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX customer_rfm_segment_idx ON customer_rfm (tenant_id, segment)`);
    await q.query(
      `CREATE INDEX customer_rfm_grid_idx ON customer_rfm (tenant_id, r_score, f_score)`,
    );
  }
}
