import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The business date a campaign was called off on: its progress read as of any later date is
 * its progress on that day. Campaigns cancelled before this column existed take the date of
 * their cancellation in Vietnam.
 */
export class CancelledOn1764100017000 implements MigrationInterface {
  name = 'CancelledOn1764100017000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE campaigns ADD COLUMN cancelled_on date');
    await queryRunner.query(`UPDATE campaigns SET cancelled_on = (cancelled_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date WHERE cancelled_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE campaigns DROP COLUMN cancelled_on');
  }
}
