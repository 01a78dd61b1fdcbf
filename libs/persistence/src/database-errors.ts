/**
 * The index (or constraint) a database error says a unique value collided on, with
 * PostgreSQL's detail (`Key (code)=(NA) already exists.`); undefined for any other error.
 * TypeORM wraps the driver's error; a raw `pg` error is read as it is.
 */
export function uniqueViolation(error: unknown): { constraint: string; detail: string } | undefined {
  const pg = ((error as { driverError?: unknown } | undefined)?.driverError ?? error) as { code?: string; constraint?: string; detail?: string } | undefined;
  if (pg?.code !== '23505') return undefined;
  return { constraint: pg.constraint ?? '', detail: pg.detail ?? '' };
}
