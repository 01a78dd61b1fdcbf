import type { Actor } from '@antq/contracts';
import type { ClsService, ClsStore } from 'nestjs-cls';

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

/**
 * Runs work the platform does on its own (a worker's pass, a daily job) as `actor`, under
 * `correlationId` when given: its logs and the events it emits carry them, as a request's do.
 */
export function runAs<T>(cls: ClsService<AntqClsStore>, actor: Actor, work: () => Promise<T>, correlationId?: string): Promise<T> {
  return cls.run(() => {
    cls.set('actor', actor);
    if (correlationId !== undefined) cls.set('correlationId', correlationId);
    return work();
  });
}
