import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Units whose scoreboard contribution is to be reconciled: appended in the transaction
 * that changed their status or place, taken by the scoreboard worker. Append-only, so
 * consumer batches of different partitions never wait for each other (or for the worker) here.
 */
export class ScoreboardQueue1764100009000 implements MigrationInterface {
  name = 'ScoreboardQueue1764100009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scoreboard_queue (
        id bigserial PRIMARY KEY,
        unit_id uuid NOT NULL,
        subtree boolean NOT NULL,
        queued_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The scoreboard worker LISTENs: a statement that queued units wakes it when it commits.
    await queryRunner.query(`
      CREATE FUNCTION notify_scoreboard_queue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM queued) THEN
          PERFORM pg_notify('antq_scoreboards', '');
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER scoreboard_queue_notify AFTER INSERT ON scoreboard_queue
        REFERENCING NEW TABLE AS queued FOR EACH STATEMENT EXECUTE FUNCTION notify_scoreboard_queue()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE scoreboard_queue');
    await queryRunner.query('DROP FUNCTION notify_scoreboard_queue()');
  }
}
