/**
 * The first of an entity's key fields that a representation carries, or null. Representations
 * are client-supplied `_Any` values, so a missing or non-string key resolves to null instead of
 * reaching a DataLoader (which throws on undefined). graphql-jit, for one, hands over a
 * representation whose fields were variables inside a literal list without substituting them.
 */
export function referenceKey<K extends string>(reference: object, names: readonly K[]): [K, string] | null {
  for (const name of names) {
    const value = (reference as Record<string, unknown>)[name]
    if (typeof value === 'string') return [name, value]
  }
  return null
}
