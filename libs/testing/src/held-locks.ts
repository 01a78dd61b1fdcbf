import type { DataSource, EntityManager } from 'typeorm';

/**
 * Sessions of the data source's database waiting on a lock (only on advisory locks, if asked).
 * Read on a pooled connection of its own: inside a transaction, the server's activity stays
 * as the transaction first read it.
 */
export async function sessionsWaiting(dataSource: DataSource, on: 'any lock' | 'advisory lock' = 'any lock'): Promise<number> {
  const [{ n }] = (await dataSource.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND ($1 OR wait_event = 'advisory')`,
    [on === 'any lock'],
  )) as { n: number }[];
  return n;
}

/**
 * A race forced into one order: takes what `hold` takes in a transaction of its own, runs
 * `during` (which starts the work that must queue behind it, and checks that it does), then
 * ends the transaction (a rollback leaves no trace of what `hold` wrote) and returns what
 * `during` returned.
 */
export async function whileHolding<T>(dataSource: DataSource, hold: (manager: EntityManager) => Promise<unknown>, during: () => Promise<T>, end: 'commit' | 'rollback' = 'commit'): Promise<T> {
  const holder = dataSource.createQueryRunner();
  await holder.connect();
  await holder.startTransaction();
  try {
    await hold(holder.manager);
    return await during();
  } finally {
    if (end === 'commit') await holder.commitTransaction();
    else await holder.rollbackTransaction();
    await holder.release();
  }
}
