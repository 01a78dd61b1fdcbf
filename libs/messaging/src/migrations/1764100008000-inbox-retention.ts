import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inbox pruner finds old processed event ids by age. */
export class InboxRetention1764100008000 implements MigrationInterface {
  name = 'InboxRetention1764100008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX processed_events_processed_at ON processed_events (processed_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX processed_events_processed_at');
  }
}
