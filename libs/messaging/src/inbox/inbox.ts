import type { EntityManager } from 'typeorm';

/**
 * Claims event ids for a consumer inside the caller's transaction. Ids already recorded,
 * by an earlier delivery or by another instance, are not returned: their effect exists.
 */
export async function claimEvents(
  manager: EntityManager,
  consumer: string,
  events: { id: string; type: string }[],
): Promise<Set<string>> {
  if (!events.length) return new Set();
  const rows = (await manager.query(
    `INSERT INTO processed_events (consumer, event_id, event_type)
       SELECT $1, id, type FROM unnest($2::uuid[], $3::text[]) AS e(id, type)
     ON CONFLICT DO NOTHING
     RETURNING event_id`,
    [consumer, events.map((e) => e.id), events.map((e) => e.type)],
  )) as { event_id: string }[];
  return new Set(rows.map((r) => r.event_id));
}

/** Forgets a claim whose effect was rolled back, so that a replay can apply it later. */
export async function releaseEvent(manager: EntityManager, consumer: string, eventId: string): Promise<void> {
  await manager.query('DELETE FROM processed_events WHERE consumer = $1 AND event_id = $2', [consumer, eventId]);
}

/** Forgets claims of events a batch did not reach (it stopped early), so that they are applied later. */
export async function releaseEvents(manager: EntityManager, consumer: string, eventIds: string[]): Promise<void> {
  if (!eventIds.length) return;
  await manager.query('DELETE FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])', [consumer, eventIds]);
}
