import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReplicaUnits1764100001000 implements MigrationInterface {
  name = 'ReplicaUnits1764100001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE replica_units (
        unit_id uuid PRIMARY KEY,
        code text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        subtype text,
        parent_id uuid,
        tags text[] NOT NULL DEFAULT '{}',
        effective_from date NOT NULL,
        version int NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX replica_units_parent_idx ON replica_units (parent_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE replica_units');
  }
}
