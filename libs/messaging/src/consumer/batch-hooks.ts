import type { EntityManager } from 'typeorm';

const hooks = new WeakMap<EntityManager, Map<string, () => Promise<void>>>();

/**
 * Work a handler wants done once per batch rather than once per event (for example,
 * reconciling an aggregate from the units the batch touched). Inside a consumer batch it
 * runs once, keyed, just before the batch's transaction commits; elsewhere it runs now.
 */
export async function atBatchEnd(manager: EntityManager, key: string, work: () => Promise<void>): Promise<void> {
  const pending = hooks.get(manager);
  if (pending) pending.set(key, work);
  else await work();
}

/** Used by the consumer: opens a batch's hook list on its transaction. */
export function openBatch(manager: EntityManager): void {
  hooks.set(manager, new Map());
}

/** Used by the consumer: runs the batch's hooks (in registration order) and closes the list. */
export async function closeBatch(manager: EntityManager): Promise<void> {
  const pending = hooks.get(manager);
  hooks.delete(manager);
  for (const work of pending?.values() ?? []) await work();
}
