import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropQueueTable, notifyOnInsert } from '@antq/persistence';

/**
 * Parents waiting to be re-derived from their children: written in the transaction that
 * changes a child, taken by the derivation worker. Rows are only ever appended, so
 * siblings changed at once never wait for each other here.
 */
export class DerivationQueue1764100007000 implements MigrationInterface {
  name = 'DerivationQueue1764100007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pending_derivations (
        id bigserial PRIMARY KEY,
        unit_id uuid NOT NULL,
        programme text NOT NULL,
        effective_on date NOT NULL,
        correlation_id text,
        queued_at timestamptz NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 0,
        last_error text
      )`);
    // The derivation worker LISTENs: a statement that queued rows wakes it when it commits.
    await notifyOnInsert(queryRunner, 'pending_derivations', 'antq_derivations');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropQueueTable(queryRunner, 'pending_derivations');
  }
}
