import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The name of the index that allows one open assessment per unit, programme and cycle. */
export const ONE_OPEN_ASSESSMENT_INDEX = 'assessments_one_open_idx';

/**
 * At most one open (draft, submitted or verified) assessment of a unit under a programme
 * for a cycle, however many drafts arrive at once: the database backs the service's check.
 */
export class OneOpenAssessment1764100012000 implements MigrationInterface {
  name = 'OneOpenAssessment1764100012000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNIQUE INDEX ${ONE_OPEN_ASSESSMENT_INDEX} ON assessments (unit_id, programme, cycle) WHERE state IN ('draft', 'submitted', 'verified')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ${ONE_OPEN_ASSESSMENT_INDEX}`);
  }
}
