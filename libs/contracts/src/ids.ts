/**
 * Unit ids as PostgreSQL writes them, in lower case, for a `@Transform`: a UUID is valid in
 * either case, and ids are compared as text once read (jurisdictions, listed units).
 */
export function lowerCaseIds({ value }: { value: unknown }): unknown {
  if (typeof value === 'string') return value.toLowerCase();
  return Array.isArray(value) ? value.map((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id)) : value;
}
