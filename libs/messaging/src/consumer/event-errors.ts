/** A message that can never be processed as it is: it goes to the dead-letter topic at once. */
export class NonRetryableEventError extends Error {
  override readonly name: string = 'NonRetryableEventError';
}

/** The record is not a valid event of the catalogue (bad JSON, envelope or payload). */
export class InvalidEventError extends NonRetryableEventError {
  override readonly name = 'InvalidEventError';
}

/**
 * PostgreSQL errors that say "try again", not "this message is bad": deadlocks, serialisation
 * failures, lock timeouts, shutdowns and restarts, too many connections, and every
 * connection exception (class 08).
 */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001', '55P03', '57P01', '57P02', '57P03', '53300']);
/** The server could not be reached, or the connection broke under a query. */
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** What node-postgres says when a connection ends under it or its pool cannot hand one out in time. */
const CONNECTION_LOST = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)/;

/**
 * Whether an error is the database's transient trouble (unreachable, restarting, a lost
 * connection, no pool connection free in time, a deadlock): a batch is retried, never
 * dead-lettered; a request is answered 503.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const candidate = error as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | null;
  const code = candidate?.driverError?.code ?? candidate?.code;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATES.has(code) || NETWORK_ERRNOS.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  const message = candidate?.driverError?.message ?? candidate?.message;
  return candidate instanceof Error && typeof message === 'string' && CONNECTION_LOST.test(message);
}
