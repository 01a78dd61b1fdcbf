import type { MigrationInterface, QueryRunner } from 'typeorm';

/** How many times each target's state has changed: numbers its state events, one fact each. */
export class TargetTransitions1764100006000 implements MigrationInterface {
  name = 'TargetTransitions1764100006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE campaign_targets ADD COLUMN transitions int NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE campaign_targets DROP COLUMN transitions');
  }
}
