/** A repeatable query parameter (`?kind=a&kind=b` or `?kind=a`) as a list. */
export function asArray<T>(value: T | T[] | undefined): T[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}
