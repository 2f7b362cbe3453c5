import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Links a resolved complaint to its satisfaction call-back (回访, a customers follow-up) and
 * keeps the CSAT score the customer gave on that call, for the satisfaction report.
 */
export class FeedbackFollowUp1763859200000 implements MigrationInterface {
  name = 'FeedbackFollowUp1763859200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE feedback
        ADD COLUMN follow_up_id uuid,
        ADD COLUMN follow_up_csat smallint CHECK (follow_up_csat BETWEEN 1 AND 5),
        ADD COLUMN follow_up_completed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE feedback DROP COLUMN follow_up_completed_at, DROP COLUMN follow_up_csat, DROP COLUMN follow_up_id`,
    );
  }
}
