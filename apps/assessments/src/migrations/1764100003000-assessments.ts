import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PROGRAMMES_V1 } from '../programmes/programmes-v1';

export class Assessments1764100003000 implements MigrationInterface {
  name = 'Assessments1764100003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE programme_versions (
        programme text NOT NULL,
        version int NOT NULL,
        valid_from date NOT NULL,
        definition jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (programme, version)
      )`);
    for (const [code, definition] of Object.entries(PROGRAMMES_V1)) {
      await queryRunner.query(
        `INSERT INTO programme_versions (programme, version, valid_from, definition, created_by) VALUES ($1, 1, '2020-01-01', $2, 'seed')`,
        [code, JSON.stringify(definition)],
      );
    }
    await queryRunner.query(`
      CREATE TABLE assessments (
        id uuid PRIMARY KEY,
        unit_id uuid NOT NULL,
        unit_kind text NOT NULL,
        programme text NOT NULL,
        programme_version int NOT NULL,
        cycle int NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        state text NOT NULL,
        results jsonb NOT NULL,
        score numeric,
        grade text,
        met boolean,
        evidence text[] NOT NULL DEFAULT '{}',
        agency text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (programme, programme_version) REFERENCES programme_versions (programme, version)
      )`);
    await queryRunner.query('CREATE INDEX assessments_unit_idx ON assessments (unit_id, programme, cycle)');
    await queryRunner.query(`
      CREATE TABLE assessment_transitions (
        id bigserial PRIMARY KEY,
        assessment_id uuid NOT NULL REFERENCES assessments (id),
        from_state text,
        to_state text NOT NULL,
        agency text NOT NULL,
        principal text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        decision_number text,
        decision_date date,
        comment text,
        evidence text[] NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query('CREATE INDEX assessment_transitions_assessment_idx ON assessment_transitions (assessment_id)');
    await queryRunner.query(`
      CREATE TABLE unit_statuses (
        unit_id uuid NOT NULL,
        programme text NOT NULL,
        unit_kind text NOT NULL,
        status text NOT NULL,
        grade text,
        score numeric,
        since date,
        valid_until date,
        source text NOT NULL,
        assessment_id uuid,
        sequence int NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (unit_id, programme)
      )`);
    await queryRunner.query('CREATE INDEX unit_statuses_programme_idx ON unit_statuses (programme, status)');
    await queryRunner.query(`
      CREATE TABLE unit_status_history (
        unit_id uuid NOT NULL,
        programme text NOT NULL,
        sequence int NOT NULL,
        status text NOT NULL,
        grade text,
        score numeric,
        valid_from date NOT NULL,
        valid_to date,
        valid_until date,
        source text NOT NULL,
        assessment_id uuid,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (unit_id, programme, sequence)
      )`);
    await queryRunner.query('CREATE INDEX unit_status_history_asof_idx ON unit_status_history (programme, valid_from)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['unit_status_history', 'unit_statuses', 'assessment_transitions', 'assessments', 'programme_versions']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
