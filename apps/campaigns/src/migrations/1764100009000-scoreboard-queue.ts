import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropQueueTable, notifyOnInsert } from '@antq/persistence';

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
    await notifyOnInsert(queryRunner, 'scoreboard_queue', 'antq_scoreboards');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropQueueTable(queryRunner, 'scoreboard_queue');
  }
}
