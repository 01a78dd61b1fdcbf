import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statuses replicated from assessments, and the scoreboards: for every unit, its active
 * descendants by kind (totals) and by programme, kind, status and grade (counts). Each
 * unit's membership records what it is counted as (its statuses) and under which
 * ancestors, so that every change moves exactly its own contribution.
 */
export class Scoreboards1764100004000 implements MigrationInterface {
  name = 'Scoreboards1764100004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status_replica (
        unit_id uuid NOT NULL,
        programme text NOT NULL,
        unit_kind text NOT NULL,
        status text NOT NULL,
        grade text,
        score numeric,
        since date,
        sequence int NOT NULL,
        PRIMARY KEY (unit_id, programme)
      )`);
    await queryRunner.query(`
      CREATE TABLE scoreboard_membership (
        unit_id uuid PRIMARY KEY,
        kind text NOT NULL,
        ancestors uuid[] NOT NULL,
        statuses jsonb NOT NULL DEFAULT '[]'
      )`);
    await queryRunner.query(`
      CREATE TABLE scoreboard_totals (
        unit_id uuid NOT NULL,
        kind text NOT NULL,
        total int NOT NULL,
        PRIMARY KEY (unit_id, kind)
      )`);
    await queryRunner.query(`
      CREATE TABLE scoreboard_counts (
        unit_id uuid NOT NULL,
        programme text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        grade text NOT NULL DEFAULT '',
        count int NOT NULL,
        score_sum numeric NOT NULL DEFAULT 0,
        scored int NOT NULL DEFAULT 0,
        PRIMARY KEY (unit_id, programme, kind, status, grade)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['scoreboard_counts', 'scoreboard_totals', 'scoreboard_membership', 'status_replica']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
