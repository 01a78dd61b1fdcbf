import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The decisions that move a key complex area along its list: designation, follow-up,
 * removal and the carry-over into the next cycle, each with its number and date and who
 * took it. Its transformation is an assessment, audited with the assessments' transitions.
 */
export class KeyAreaDecisions1764100013000 implements MigrationInterface {
  name = 'KeyAreaDecisions1764100013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE key_area_decisions (
        id bigserial PRIMARY KEY,
        unit_id uuid NOT NULL,
        step text NOT NULL CHECK (step IN ('designated', 'followed-up', 'removed', 'carried-over')),
        cycle int,
        decision_number text,
        decision_date date NOT NULL,
        comment text,
        agency text NOT NULL,
        principal text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX key_area_decisions_unit_idx ON key_area_decisions (unit_id, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE key_area_decisions');
  }
}
