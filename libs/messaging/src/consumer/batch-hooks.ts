import type { EntityManager } from 'typeorm';

/**
 * When a hook runs within its batch: `replicate` hooks (bringing a replica up to date) all
 * run before `aggregate` hooks (which read the replicas), whatever order they were registered in.
 */
export type BatchPhase = 'replicate' | 'aggregate';

interface Hook {
  phase: BatchPhase;
  work: () => Promise<void>;
}

const hooks = new WeakMap<EntityManager, Map<string, Hook>>();

/**
 * Work a handler wants done once per batch rather than once per event (for example,
 * reconciling an aggregate from the units the batch touched). Inside a consumer batch it
 * runs once, keyed, just before the batch's transaction commits; elsewhere it runs now.
 */
export async function atBatchEnd(manager: EntityManager, key: string, work: () => Promise<void>, phase: BatchPhase = 'aggregate'): Promise<void> {
  const pending = hooks.get(manager);
  if (pending) pending.set(key, { phase, work });
  else await work();
}

/** Used by the consumer: opens a batch's hook list on its transaction. */
export function openBatch(manager: EntityManager): void {
  hooks.set(manager, new Map());
}

/**
 * Used by the consumer: runs the batch's hooks, all `replicate` ones before any `aggregate`
 * one, each phase in registration order, then closes the list. A hook registered while
 * others run (a replica update marking an aggregate) joins the queue in its phase.
 */
export async function closeBatch(manager: EntityManager): Promise<void> {
  const pending = hooks.get(manager);
  try {
    for (;;) {
      const next = [...(pending?.entries() ?? [])].find(([, hook]) => hook.phase === 'replicate') ?? pending?.entries().next().value;
      if (!next) return;
      pending?.delete(next[0]);
      await next[1].work();
    }
  } finally {
    hooks.delete(manager);
  }
}
