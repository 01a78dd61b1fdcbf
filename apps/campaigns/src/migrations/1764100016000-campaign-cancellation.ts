import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A campaign called off: when, by whom and why; its progress stays as it stood then. */
export class CampaignCancellation1764100016000 implements MigrationInterface {
  name = 'CampaignCancellation1764100016000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE campaigns ADD COLUMN cancelled_at timestamptz, ADD COLUMN cancelled_by text, ADD COLUMN cancel_reason text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE campaigns DROP COLUMN cancelled_at, DROP COLUMN cancelled_by, DROP COLUMN cancel_reason');
  }
}
