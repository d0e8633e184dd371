/**
 * A code from a server (or the network stack) looked up in a table of ours. Only the table's own
 * keys count: a code such as `constructor` must not find `Object.prototype`'s members.
 */
export function lookupCode<T>(
  table: Readonly<Record<string, T>>,
  code: string | number | undefined,
): T | undefined {
  if (code === undefined) return undefined;
  const key = String(code);
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
