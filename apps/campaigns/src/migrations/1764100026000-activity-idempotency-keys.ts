import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Idempotency-Key an activity was recorded with, if any: unique per target and agency,
 * so that a command repeated with its key finds the activity it recorded, in the same
 * transaction that would otherwise record it twice.
 */
export class ActivityIdempotencyKeys1764100026000 implements MigrationInterface {
  name = 'ActivityIdempotencyKeys1764100026000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE target_activities ADD COLUMN idempotency_key text');
    await queryRunner.query(
      'CREATE UNIQUE INDEX target_activities_idempotency_key_idx ON target_activities (target_id, agency, idempotency_key) WHERE idempotency_key IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX target_activities_idempotency_key_idx');
    await queryRunner.query('ALTER TABLE target_activities DROP COLUMN idempotency_key');
  }
}
