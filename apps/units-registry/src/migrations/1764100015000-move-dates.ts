import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dates on which units moved, read by every move to refuse a cycle on a later date: an
 * index over the moves alone, instead of a scan of every version.
 */
export class MoveDates1764100015000 implements MigrationInterface {
  name = 'MoveDates1764100015000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX unit_versions_move_dates_idx ON unit_versions (valid_from) WHERE change = 'moved'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX unit_versions_move_dates_idx');
  }
}
