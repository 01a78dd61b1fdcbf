import type { Actor } from '@antq/contracts';
import type { ClsStore } from 'nestjs-cls';

/**
 * What travels with a unit of work (an HTTP request or a consumed event) through the
 * async call chain: the correlation id, the actor and the event that caused the work.
 * Logs and every event emitted during the work pick these up.
 */
export interface AntqClsStore extends ClsStore {
  correlationId?: string;
  causationId?: string;
  actor?: Actor;
}

export const CORRELATION_HEADER = 'x-correlation-id';
