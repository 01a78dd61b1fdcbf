import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per unit, programme and cycle reported overdue: the report is made once. */
export class OverdueNotices1764100006000 implements MigrationInterface {
  name = 'OverdueNotices1764100006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE overdue_notices (
        unit_id uuid NOT NULL,
        programme text NOT NULL,
        cycle int NOT NULL,
        deadline date NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (unit_id, programme, cycle)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE overdue_notices');
  }
}
