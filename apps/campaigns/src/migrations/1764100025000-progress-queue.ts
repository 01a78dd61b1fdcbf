import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropQueueTable, notifyOnInsert } from '@antq/persistence';

/**
 * Units whose change may move campaign targets: appended in the consumer batch that changed
 * their status under `programme` (null: their place, which moves every programme's counts)
 * from the date in `changed_from`, taken by the progress worker,
 * which re-evaluates the campaigns counting them once for whatever the batches queued
 * meanwhile. Append-only, so batches of different partitions no longer wait for each other
 * to evaluate targets.
 */
export class ProgressQueue1764100025000 implements MigrationInterface {
  name = 'ProgressQueue1764100025000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE progress_queue (
        id bigserial PRIMARY KEY,
        unit_id uuid NOT NULL,
        changed_from date NOT NULL,
        programme text,
        queued_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The progress worker LISTENs: a statement that queued units wakes it when it commits.
    await notifyOnInsert(queryRunner, 'progress_queue', 'antq_progress');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropQueueTable(queryRunner, 'progress_queue');
  }
}
