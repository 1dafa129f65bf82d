/**
 * The house's DataLoader helpers: every subgraph builds its per-request loaders from these, so
 * "one row per key", "the children of each parent" and "one loader per distinct arguments" are
 * written once. A batch fetch takes the keys and returns rows in any order; the helpers put them
 * back in key order, as DataLoader requires.
 */
import DataLoader from 'dataloader'
import { traced } from './tracing.ts'

/** A span for one batch of a loader (its SQL nests under it): named after the batch fetch. */
const batchSpan = <T>(fetch: { readonly name: string }, size: number, run: () => Promise<T>): Promise<T> =>
  traced(fetch.name ? `dataloader batch ${fetch.name}` : 'dataloader batch', { onlyInTrace: true, attributes: { 'commerce.batch.size': size } }, run)

/** Sees every row a batch loaded (to prime another loader with it). */
export type OnLoaded<R> = (row: R) => void

/** The row of each key, in key order (null when absent): what a DataLoader batch must return. */
export function oneEach<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]))
  return keys.map((key) => byKey.get(key) ?? null)
}

/** The rows of each key, in key order, keeping the rows' order (empty when none). */
export function allEach<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const byKey = new Map<K, R[]>(keys.map((key) => [key, []]))
  for (const row of rows) byKey.get(keyOf(row))?.push(row)
  return keys.map((key) => byKey.get(key) ?? [])
}

/** A loader of one row per key (null when missing), from a batch fetch by keys. */
export function rowLoader<R>(
  fetch: (keys: readonly string[]) => Promise<readonly R[]>,
  keyOf: (row: R) => string,
  onLoaded?: OnLoaded<R>,
): DataLoader<string, R | null> {
  return new DataLoader((keys) =>
    batchSpan(fetch, keys.length, async () => {
      const rows = await fetch(keys)
      if (onLoaded) rows.forEach(onLoaded)
      return oneEach(keys, rows, keyOf)
    }),
  )
}

/** A loader of the children of each parent key (empty when none), in the order the fetch sorts them. */
export function childrenLoader<R>(
  fetch: (parents: readonly string[]) => Promise<readonly R[]>,
  parentOf: (row: R) => string,
  onLoaded?: OnLoaded<R>,
): DataLoader<string, R[]> {
  return new DataLoader((parents) =>
    batchSpan(fetch, parents.length, async () => {
      const rows = await fetch(parents)
      if (onLoaded) rows.forEach(onLoaded)
      return allEach(parents, rows, parentOf)
    }),
  )
}

/**
 * One loader per distinct arguments (a page, a currency, a set of locations), made on first use
 * and kept for the request: each still batches across the parents that share those arguments.
 * `keyOf` defaults to the arguments' JSON.
 */
export function perArguments<A, L>(create: (args: A) => L, keyOf: (args: A) => string = (args) => JSON.stringify(args)): (args: A) => L {
  const made = new Map<string, L>()
  return (args) => {
    const key = keyOf(args)
    let loader = made.get(key)
    if (!loader) {
      loader = create(args)
      made.set(key, loader)
    }
    return loader
  }
}

/** Where `sharedLoader` keeps values between requests (platform/cache.ts's SharedCache). */
export interface EntityCache {
  readonly enabled: boolean
  cached<V>(entity: string, key: string, references: (value: V) => readonly string[], load: () => Promise<V>): Promise<V>
}

export interface SharedLoaderSpec<V> {
  /** The entry's kind (`catalog.variantPrice`): one cache per kind. */
  readonly entity: string
  /** What else the value depends on besides the key (a currency, a set of locations), as text; '' when nothing. */
  readonly scope?: string
  /** The references an event names to drop this value (`variant:<id>`, `product:<id>`). */
  readonly references: (key: string, value: V) => readonly string[]
}

/**
 * A request's loader in front of the subgraph's shared cache: keys found there cost nothing, the
 * misses go to `loader` in one batch, and identical lookups in flight in other requests share one
 * load. Only for values every viewer of this request's visibility may see: pass no cache (null)
 * for a viewer who sees more than the public (staff), and put in `scope` whatever else narrows it.
 */
export function sharedLoader<V>(cache: EntityCache | null, spec: SharedLoaderSpec<V>, loader: DataLoader<string, V>): DataLoader<string, V> {
  if (!cache?.enabled) return loader
  const scope = spec.scope ?? ''
  return new DataLoader<string, V>(async (keys) => {
    const settled = await Promise.allSettled(
      keys.map((key) => cache.cached<V>(spec.entity, `${scope}|${key}`, (value) => spec.references(key, value), () => loader.load(key))),
    )
    // one key's failure fails that key only, as the loader behind it would
    return settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason))))
  })
}
