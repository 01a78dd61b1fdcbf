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
    // Open duplicates from before the index (drafts that raced) must be settled through the
    // workflow, with their events, by the release that made them: say which.
    const duplicates = (await queryRunner.query(
      `SELECT unit_id, programme, cycle, array_agg(id ORDER BY created_at) AS ids FROM assessments
        WHERE state IN ('draft', 'submitted', 'verified') GROUP BY unit_id, programme, cycle HAVING count(*) > 1`,
    )) as { unit_id: string; programme: string; cycle: number; ids: string[] }[];
    if (duplicates.length) {
      throw new Error(
        `${duplicates.length} units have more than one open assessment for a programme and cycle; reject all but one of each ` +
          `(POST /assessments/:id/reject) with the release running now, then upgrade: ` +
          duplicates.slice(0, 20).map((d) => `${d.unit_id} ${d.programme} ${d.cycle}: ${d.ids.join(', ')}`).join('; '),
      );
    }
    await queryRunner.query(
      `CREATE UNIQUE INDEX ${ONE_OPEN_ASSESSMENT_INDEX} ON assessments (unit_id, programme, cycle) WHERE state IN ('draft', 'submitted', 'verified')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ${ONE_OPEN_ASSESSMENT_INDEX}`);
  }
}
