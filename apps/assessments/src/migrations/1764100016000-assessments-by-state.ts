import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Work queues list assessments by state, most recently moved first (`GET /assessments`). */
export class AssessmentsByState1764100016000 implements MigrationInterface {
  name = 'AssessmentsByState1764100016000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX assessments_state_idx ON assessments (state, updated_at DESC, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX assessments_state_idx');
  }
}
