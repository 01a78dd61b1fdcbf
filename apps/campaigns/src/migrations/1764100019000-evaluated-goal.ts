import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The goal a target's stored progress was measured against. An amended goal moves the
 * target's progress even where its value does not, and comparing with this column tells so.
 * Progress stored before the column existed was measured against the current goal, since an
 * amendment re-evaluates in its own transaction.
 */
export class EvaluatedGoal1764100019000 implements MigrationInterface {
  name = 'EvaluatedGoal1764100019000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE campaign_targets ADD COLUMN evaluated_goal numeric');
    await queryRunner.query('UPDATE campaign_targets SET evaluated_goal = goal WHERE evaluated_on IS NOT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE campaign_targets DROP COLUMN evaluated_goal');
  }
}
