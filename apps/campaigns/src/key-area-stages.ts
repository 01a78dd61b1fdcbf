import { KEY_AREA_STATUSES } from '@antq/contracts';

export const KEY_AREA = 'key-complex-area';
/** A key complex area's stages, in the order it goes through them. */
export const KEY_AREA_STAGES: readonly string[] = KEY_AREA_STATUSES;

/**
 * The statuses that count as reaching `status` under `programme`. A key complex area goes
 * through its stages in order (designated, transformed, followed up, removed from the list),
 * and one at a later stage has passed the earlier ones: an area followed up was transformed.
 */
export function statusesReaching(programme: string | null, status: string | null): string[] {
  const stage = programme === KEY_AREA && status ? KEY_AREA_STAGES.indexOf(status) : -1;
  return stage < 0 ? [status ?? ''] : KEY_AREA_STAGES.slice(stage);
}
