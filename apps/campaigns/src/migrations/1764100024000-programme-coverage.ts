import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The unit kinds each programme version gives a status to, from the assessments service's programme events. */
export class ProgrammeCoverage1764100024000 implements MigrationInterface {
  name = 'ProgrammeCoverage1764100024000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE programme_coverage (
        programme text NOT NULL,
        version int NOT NULL,
        valid_from date NOT NULL,
        unit_kinds text[] NOT NULL,
        PRIMARY KEY (programme, version)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE programme_coverage');
  }
}
