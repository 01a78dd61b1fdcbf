import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Units1764100002000 implements MigrationInterface {
  name = 'Units1764100002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE units (
        id uuid PRIMARY KEY,
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        kind text NOT NULL,
        subtype text,
        parent_id uuid REFERENCES units (id),
        tags text[] NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
        effective_from date NOT NULL,
        version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX units_parent_idx ON units (parent_id)');
    await queryRunner.query(`
      CREATE TABLE unit_versions (
        unit_id uuid NOT NULL REFERENCES units (id),
        version int NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        code text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        subtype text,
        parent_id uuid,
        tags text[] NOT NULL,
        status text NOT NULL,
        change text NOT NULL,
        agency text NOT NULL,
        principal text NOT NULL,
        correlation_id text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (unit_id, version),
        CHECK (valid_to IS NULL OR valid_to > valid_from)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE unit_versions');
    await queryRunner.query('DROP TABLE units');
  }
}
