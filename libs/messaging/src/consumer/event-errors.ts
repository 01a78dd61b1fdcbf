/** A message that can never be processed as it is: it goes to the dead-letter topic at once. */
export class NonRetryableEventError extends Error {
  override readonly name: string = 'NonRetryableEventError';
}

/** The record is not a valid event of the catalogue (bad JSON, envelope or payload). */
export class InvalidEventError extends NonRetryableEventError {
  override readonly name = 'InvalidEventError';
}

/** PostgreSQL errors that say "try again", not "this message is bad": deadlocks, serialisation, lost connections. */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001', '55P03', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/**
 * Whether an error is the database's transient trouble (including no pool connection free
 * in time): a batch is retried, never dead-lettered; a request is answered 503.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const candidate = error as { code?: unknown; message?: unknown; driverError?: { code?: unknown } } | null;
  const code = candidate?.driverError?.code ?? candidate?.code;
  if (typeof code === 'string' && TRANSIENT_SQLSTATES.has(code)) return true;
  return candidate instanceof Error && candidate.message === 'timeout exceeded when trying to connect';
}
