import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A service's replica of the unit tree: the latest state of each unit, every dated version
 * (for reads as of a date), and the lineage of merges and splits.
 */
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
        status text NOT NULL DEFAULT 'active',
        effective_from date NOT NULL,
        version int NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX replica_units_parent_idx ON replica_units (parent_id)');
    await queryRunner.query(`
      CREATE TABLE replica_unit_versions (
        unit_id uuid NOT NULL,
        version int NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        code text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        subtype text,
        parent_id uuid,
        tags text[] NOT NULL DEFAULT '{}',
        status text NOT NULL,
        PRIMARY KEY (unit_id, version)
      )`);
    await queryRunner.query('CREATE INDEX replica_unit_versions_parent_idx ON replica_unit_versions (parent_id, valid_from)');
    await queryRunner.query(`
      CREATE TABLE replica_unit_lineage (
        predecessor_id uuid NOT NULL,
        successor_id uuid NOT NULL,
        kind text NOT NULL,
        effective_date date NOT NULL,
        PRIMARY KEY (predecessor_id, successor_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE replica_unit_lineage');
    await queryRunner.query('DROP TABLE replica_unit_versions');
    await queryRunner.query('DROP TABLE replica_units');
  }
}
