import { Transform } from 'class-transformer';
import { IsUUID, type ValidationOptions } from 'class-validator';

/** Ids as PostgreSQL writes them, in lower case. */
function lowerCaseIds({ value }: { value: unknown }): unknown {
  if (typeof value === 'string') return value.toLowerCase();
  return Array.isArray(value) ? value.map((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id)) : value;
}

/**
 * A UUID (or, with `each`, a list of them) in either case, taken in lower case, as PostgreSQL
 * writes it: ids read back are compared as text (jurisdictions, listed units, claimed ids).
 */
export function IsUuid(options?: ValidationOptions): PropertyDecorator {
  return (target, property) => {
    IsUUID('all', options)(target, property);
    Transform(lowerCaseIds)(target, property);
  };
}
