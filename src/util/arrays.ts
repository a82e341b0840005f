/**
 * Appends items to an array one by one. `target.push(...items)` passes every item as an argument and throws a
 * RangeError past the engine's argument limit (about 100,000 on V8): an interchange of a few hundred thousand
 * segments must not crash its reader.
 */
export function append<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
