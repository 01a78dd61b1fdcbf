import type { QueryRunner } from 'typeorm';

/**
 * Makes a statement that inserts into a queue table NOTIFY `channel` when it commits (once
 * per statement, however many rows it queued), so that the table's worker (QueueWorker),
 * LISTENing there, wakes at once. For a queue's migration: `notify_<table>()` and the
 * trigger `<table>_notify`.
 */
export async function notifyOnInsert(queryRunner: QueryRunner, table: string, channel: string): Promise<void> {
  await queryRunner.query(`
      CREATE FUNCTION notify_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM queued) THEN
          PERFORM pg_notify('${channel}', '');
        END IF;
        RETURN NULL;
      END $$`);
  await queryRunner.query(`
      CREATE TRIGGER ${table}_notify AFTER INSERT ON ${table}
        REFERENCING NEW TABLE AS queued FOR EACH STATEMENT EXECUTE FUNCTION notify_${table}()`);
}

/** Drops a queue table with what notifyOnInsert made for it. */
export async function dropQueueTable(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`DROP TABLE ${table}`);
  await queryRunner.query(`DROP FUNCTION notify_${table}()`);
}
