import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns with their targets and each target's latest progress; activities recorded
 * against activity targets; and the history of unit statuses replicated from assessments,
 * so that a target is evaluated on the tree and the statuses as they stood on its date.
 */
export class Campaigns1764100005000 implements MigrationInterface {
  name = 'Campaigns1764100005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status_history (
        unit_id uuid NOT NULL,
        programme text NOT NULL,
        sequence int NOT NULL,
        status text NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        valid_until date,
        PRIMARY KEY (unit_id, programme, sequence)
      )`);
    await queryRunner.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        scope_unit_id uuid NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        agency text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (period_start <= period_end)
      )`);
    await queryRunner.query('CREATE INDEX campaigns_scope_idx ON campaigns (scope_unit_id)');
    await queryRunner.query(`
      CREATE TABLE campaign_targets (
        id uuid PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns (id),
        position int NOT NULL,
        kind text NOT NULL,
        label text NOT NULL,
        programme text,
        status text,
        unit_kind text,
        mode text,
        unit_ids uuid[],
        activity text,
        goal numeric NOT NULL CHECK (goal > 0),
        baseline numeric,
        value numeric,
        projection numeric,
        state text,
        evaluated_on date,
        evaluated_at timestamptz,
        UNIQUE (campaign_id, position)
      )`);
    await queryRunner.query('CREATE INDEX campaign_targets_programme_idx ON campaign_targets (programme)');
    await queryRunner.query(`
      CREATE TABLE target_activities (
        id uuid PRIMARY KEY,
        target_id uuid NOT NULL REFERENCES campaign_targets (id),
        occurred_on date NOT NULL,
        count int NOT NULL CHECK (count > 0),
        note text,
        agency text NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX target_activities_target_idx ON target_activities (target_id, occurred_on)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['target_activities', 'campaign_targets', 'campaigns', 'status_history']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
