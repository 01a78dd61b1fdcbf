import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The unit tree with effective-dated history. `units` holds identity (id, code, kind);
 * every state a unit had, has or will have is a row of `unit_versions` over
 * [valid_from, valid_to). Lineage links units that were merged or split.
 */
export class Units1764100002000 implements MigrationInterface {
  name = 'Units1764100002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE units (
        id uuid PRIMARY KEY,
        code text NOT NULL UNIQUE,
        kind text NOT NULL,
        latest_version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE structural_operations (
        id uuid PRIMARY KEY,
        kind text NOT NULL,
        effective_date date NOT NULL,
        agency text NOT NULL,
        principal text NOT NULL,
        correlation_id text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE unit_versions (
        unit_id uuid NOT NULL REFERENCES units (id),
        version int NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        name text NOT NULL,
        search_name text NOT NULL,
        subtype text,
        parent_id uuid REFERENCES units (id),
        tags text[] NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('active', 'closed')),
        change text NOT NULL,
        operation_id uuid NOT NULL REFERENCES structural_operations (id),
        PRIMARY KEY (unit_id, version),
        CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await queryRunner.query('CREATE INDEX unit_versions_parent_idx ON unit_versions (parent_id, valid_from)');
    await queryRunner.query('CREATE INDEX unit_versions_tags_idx ON unit_versions USING gin (tags)');
    await queryRunner.query(`
      CREATE TABLE unit_lineage (
        predecessor_id uuid NOT NULL REFERENCES units (id),
        successor_id uuid NOT NULL REFERENCES units (id),
        kind text NOT NULL CHECK (kind IN ('merge', 'split')),
        effective_date date NOT NULL,
        operation_id uuid NOT NULL REFERENCES structural_operations (id),
        PRIMARY KEY (predecessor_id, successor_id)
      )`);
    await queryRunner.query('CREATE INDEX unit_lineage_successor_idx ON unit_lineage (successor_id)');
    await queryRunner.query(`
      CREATE TABLE placement_rules (
        id serial PRIMARY KEY,
        child_kind text NOT NULL,
        parent_kind text,
        valid_from date,
        valid_to date,
        note text NOT NULL DEFAULT '',
        CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from)
      )`);
    await queryRunner.query(`
      CREATE TABLE merge_policies (
        id serial PRIMARY KEY,
        kind text NOT NULL,
        across_parents boolean NOT NULL,
        valid_from date,
        valid_to date,
        note text NOT NULL DEFAULT ''
      )`);
    // Vietnam's tree: the district level exists until 1 July 2025, communes then sit under provinces.
    await queryRunner.query(`
      INSERT INTO placement_rules (child_kind, parent_kind, valid_from, valid_to, note) VALUES
        ('province', NULL, NULL, NULL, 'provinces are roots'),
        ('district', 'province', NULL, '2025-07-01', 'district level abolished on 1 July 2025'),
        ('commune', 'district', NULL, '2025-07-01', 'communes under districts before 1 July 2025'),
        ('commune', 'province', '2025-07-01', NULL, 'communes under provinces from 1 July 2025'),
        ('residential-area', 'commune', NULL, NULL, ''),
        ('agency', 'province', NULL, NULL, ''),
        ('agency', 'district', NULL, '2025-07-01', ''),
        ('agency', 'commune', NULL, NULL, ''),
        ('agency', 'agency', NULL, NULL, 'departments and teams of an agency'),
        ('enterprise', 'province', NULL, NULL, ''),
        ('enterprise', 'district', NULL, '2025-07-01', ''),
        ('enterprise', 'commune', NULL, NULL, ''),
        ('school', 'province', NULL, NULL, ''),
        ('school', 'district', NULL, '2025-07-01', ''),
        ('school', 'commune', NULL, NULL, '')`);
    await queryRunner.query(`
      INSERT INTO merge_policies (kind, across_parents, valid_from, valid_to, note) VALUES
        ('commune', true, '2025-07-01', '2025-07-02', 'the 2025 reorganisation merged communes across districts'),
        ('province', true, NULL, NULL, 'provinces have no parent')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['merge_policies', 'placement_rules', 'unit_lineage', 'unit_versions', 'structural_operations', 'units']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
