import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Goals revised mid-campaign: each amendment keeps the goal it replaced and the date from
 * which the new one applies, so that progress as of an earlier date is measured against the
 * goal of that date.
 */
export class TargetAmendments1764100018000 implements MigrationInterface {
  name = 'TargetAmendments1764100018000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE target_amendments (
        id uuid PRIMARY KEY,
        target_id uuid NOT NULL REFERENCES campaign_targets (id),
        previous_goal numeric NOT NULL,
        goal numeric NOT NULL CHECK (goal > 0),
        amended_on date NOT NULL,
        reason text NOT NULL,
        agency text NOT NULL,
        amended_by text NOT NULL,
        amended_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX target_amendments_target_idx ON target_amendments (target_id, amended_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE target_amendments');
  }
}
