import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each programme version was published as an event. The versions written before are
 * left unpublished: the service publishes them once when it next starts.
 */
export class PublishedProgrammes1764100023000 implements MigrationInterface {
  name = 'PublishedProgrammes1764100023000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE programme_versions ADD COLUMN published_at timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE programme_versions DROP COLUMN published_at');
  }
}
