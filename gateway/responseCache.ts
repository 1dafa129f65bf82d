/**
 * The gateway's response cache: whole answers to queries that only shareable subgraph data made,
 * served without planning or fetching again, and dropped by the same domain events that keep the
 * subgraph caches true (the gateway tails them on the bus).
 *
 * What may be stored is decided by the fetches that made an answer, never by the document alone:
 * an answer is stored only when every fetch went to a subgraph this file names as shareable, with
 * nothing in it that this file cannot invalidate, no subgraph said `Cache-Control: no-store` or
 * `private`, and nothing failed. Everything else (orders, payments, any answer with an error)
 * runs every time. Entries are per visibility: viewers with the same roles, scopes and location
 * claim share them; staff (who see drafts and read their own writes) never do.
 *
 * Each entry names tags (`stock:TEE-001-S`, `prices`) and lives at most CACHE_TTL_SECONDS or the
 * shortest `max-age` a subgraph gave (catalog's next scheduled price change). An event drops its
 * tags on every replica as it arrives: after a write, a read shows the new value at the latest
 * once the event is on the bus (the bus lag). An answer whose tags were dropped while it was being
 * made is not stored. A tail that breaks turns the cache off in this process (better slow than
 * stale).
 */
import { createHash } from 'node:crypto'
import type { GatewayExecutor } from '@apollo/server-gateway-interface'
import type { FastifyBaseLogger } from 'fastify'
import type { Bus, ConsumerHandle } from '../platform/bus.ts'
import { cacheKeyPrefix, openCacheStorage, type CacheStorage } from '../platform/cache.ts'
import type { Config } from '../platform/config.ts'
import { subjectOf, type EventEnvelope } from '../platform/events.ts'
import { isStaff, type Viewer } from '../platform/viewer.ts'
import type { GatewayContext } from './context.ts'

/** The tags answers carry and events drop. */
export const tags = {
  /** Anything catalog answered: any price change (rare, staff-made) drops them all. */
  prices: 'prices',
  /** Stock of one sku (an inventory fetch for that variant or item). */
  stock: (sku: string) => `stock:${sku}`,
  /** Stock of skus not known from the fetch (an inventory root field): every stock change drops it. */
  anyStock: 'stock:*',
}

/** One subgraph fetch of an answer being made, as the data source saw it. */
export interface FetchSeen {
  readonly service: string
  /** `_entities` fetches: the representations asked for; undefined for root fields. */
  readonly representations: unknown
  readonly cacheControl: string | null
}

/** The tags a shareable subgraph's fetch gives its answer, or null when the fetch makes the answer unshareable. */
type FetchPolicy = (fetch: FetchSeen) => readonly string[] | null

/** Entity types inventory resolves whose state only StockLevelChanged (by sku) or seeding changes. */
const INVENTORY_BY_SKU = new Set(['ProductVariant', 'InventoryItem'])
const INVENTORY_SEEDED = new Set(['Location'])

/**
 * The shareable subgraphs. Catalog shows every non-staff viewer the same public catalog; products
 * and categories change only by seeding (the TTL). Inventory shows stock by the viewer's location
 * claim (part of the visibility key); reservations and replenishments are never shared.
 */
const SHAREABLE: Readonly<Record<string, FetchPolicy>> = {
  catalog: () => [tags.prices],
  inventory: ({ representations }) => {
    if (representations === undefined) return [tags.anyStock]
    if (!Array.isArray(representations)) return null
    const found: string[] = []
    for (const representation of representations as { __typename?: unknown; sku?: unknown }[]) {
      const type = representation?.__typename
      if (typeof type === 'string' && INVENTORY_BY_SKU.has(type) && typeof representation.sku === 'string') found.push(tags.stock(representation.sku))
      else if (typeof type !== 'string' || !INVENTORY_SEEDED.has(type)) return null
    }
    return found
  },
}

/**
 * The subjects the cache tails (the gateway reads no subgraph's code: these are the published
 * contracts of catalog's VariantPricesChanged and inventory's StockLevelChanged, checked against
 * their event maps by the tests), and the tags each drops.
 */
export const PRICES_CHANGED = 'commerce.catalog.ProductVariant.VariantPricesChanged'
export const LEVEL_CHANGED = 'commerce.inventory.InventoryLevel.StockLevelChanged'

const EVENT_TAGS: Readonly<Record<string, (event: EventEnvelope) => readonly string[]>> = {
  [PRICES_CHANGED]: () => [tags.prices],
  [LEVEL_CHANGED]: (event) => [tags.stock((event.payload as { readonly sku: string }).sku), tags.anyStock],
}

/** What one request's fetches said about sharing its answer; the data source writes it, the cache reads it. */
export class FetchRecord {
  shareable = true
  maxAgeSeconds = Number.POSITIVE_INFINITY
  readonly tags = new Set<string>()

  seen(fetch: FetchSeen): void {
    if (!this.shareable) return
    const policy = SHAREABLE[fetch.service]
    const found = policy?.(fetch) ?? null
    const control = parseCacheControl(fetch.cacheControl)
    if (found === null || control.noStore) {
      this.shareable = false
      return
    }
    for (const tag of found) this.tags.add(tag)
    if (control.maxAge !== null) this.maxAgeSeconds = Math.min(this.maxAgeSeconds, control.maxAge)
  }
}

function parseCacheControl(header: string | null): { readonly noStore: boolean; readonly maxAge: number | null } {
  if (!header) return { noStore: false, maxAge: null }
  let noStore = false
  let maxAge: number | null = null
  for (const directive of header.toLowerCase().split(',')) {
    const [name, value] = directive.trim().split('=') as [string, string | undefined]
    if (name === 'no-store' || name === 'private' || name === 'no-cache') noStore = true
    if (name === 'max-age' && value !== undefined && /^\d+$/.test(value)) maxAge = Number(value)
  }
  return { noStore, maxAge }
}

/** The request context the executor gets, with the record its fetches fill. */
export interface RecordingContext extends GatewayContext {
  fetchRecord?: FetchRecord
}

export interface ResponseCacheStats {
  readonly enabled: boolean
  readonly storage: 'memory' | 'redis' | 'off'
  readonly hits: number
  readonly misses: number
  /** Requests that joined an identical miss in flight. */
  readonly shared: number
  readonly stored: number
  /** Answers run but not stored: unshareable fetches, errors, or tags dropped while they ran. */
  readonly notStored: number
  readonly invalidations: number
}

export interface ResponseCache {
  /** The executor with the cache in front of it (the executor itself where nothing may be shared). */
  wrap(executor: GatewayExecutor): GatewayExecutor
  stats(): ResponseCacheStats
  /** Drops every entry this process holds (tests; a Redis cache keeps its entries until their TTL). */
  clear(): Promise<void>
  close(): Promise<void>
}

export interface ResponseCacheOptions {
  readonly config: Pick<Config, 'cache' | 'redisUrl' | 'databaseUrl'>
  readonly bus: Bus
  readonly logger: FastifyBaseLogger
}

/** Answers one gateway keeps in memory (each up to MAX_RESPONSE_BYTES, most a few kilobytes). */
const MEMORY_ENTRIES = 5_000

type ExecutionResult = Awaited<ReturnType<GatewayExecutor>>

interface Entry {
  readonly result: ExecutionResult
}

/** Starts the cache and its tail of the bus; resolves once the tail is attached. */
export async function createResponseCache(options: ResponseCacheOptions): Promise<ResponseCache> {
  const { config, logger } = options
  const storage: CacheStorage = openCacheStorage({ namespace: `${cacheKeyPrefix(config)}:gateway:`, config, logger, memoryEntries: MEMORY_ENTRIES })
  const counts = { hits: 0, misses: 0, shared: 0, stored: 0, notStored: 0, invalidations: 0 }
  let broken = false
  // every drop bumps the clock and stamps its tags: an answer begun before a drop of one of its tags is not stored
  let clock = 0
  const droppedAt = new Map<string, number>()
  const inFlight = new Map<string, Promise<ExecutionResult>>()

  const drop = async (dropped: readonly string[]) => {
    clock++
    for (const tag of dropped) droppedAt.set(tag, clock)
    counts.invalidations += dropped.length
    // requests from now on must not join an answer begun before the drop
    inFlight.clear()
    await storage.storage.invalidate([...dropped])
  }
  let tail: ConsumerHandle | null = null
  tail = await options.bus.tail({
    subjects: Object.keys(EVENT_TAGS),
    onEvent: (event) => {
      const dropped = EVENT_TAGS[subjectOf(event)]?.(event) ?? []
      drop(dropped).catch((error: unknown) => logger.warn({ err: error, eventId: event.id }, 'response cache invalidation failed'))
    },
    onError: (error) => {
      logger.error({ err: error }, 'response cache tail broke: the gateway answers without its response cache from now on')
      broken = true
      inFlight.clear()
      if (storage.kind === 'memory') void storage.storage.clear('')
    },
  })

  const run = async (executor: GatewayExecutor, requestContext: Parameters<GatewayExecutor>[0], key: string): Promise<ExecutionResult> => {
    const startedAt = clock
    const record = new FetchRecord()
    ;(requestContext.context as unknown as RecordingContext).fetchRecord = record
    const result = await executor(requestContext)
    const ttl = Math.min(config.cache.ttlSeconds, record.maxAgeSeconds)
    const stale = [...record.tags].some((tag) => (droppedAt.get(tag) ?? -1) > startedAt)
    if (!broken && record.shareable && ttl >= 1 && !stale && (result.errors?.length ?? 0) === 0 && result.data) {
      counts.stored++
      const entry: Entry = { result: { data: result.data, ...(result.extensions ? { extensions: result.extensions } : {}) } }
      await quietly(() => storage.storage.set(key, entry, Math.floor(ttl), [...record.tags]), (error) => logger.warn({ err: error }, 'response cache write failed'))
    } else {
      counts.notStored++
    }
    return result
  }

  return {
    wrap: (executor) => async (requestContext) => {
      const context = requestContext.context as unknown as RecordingContext
      if (broken || requestContext.operation?.operation !== 'query' || !context.viewer || isStaff(context.viewer)) return executor(requestContext)
      const key = keyOf(requestContext, context.viewer)
      if (key === null) return executor(requestContext)
      const found = (await quietly(() => storage.storage.get(key))) as Entry | undefined
      if (found) {
        counts.hits++
        return { ...found.result }
      }
      // whether a miss may be shared is known only once it has run: in flight, only one viewer's
      // identical requests join (as when merging in flight), never another subject's
      const joinKey = `${key}\n${context.viewer.sub ?? ''}`
      const running = inFlight.get(joinKey)
      if (running) {
        counts.shared++
        return running
      }
      counts.misses++
      const answer = run(executor, requestContext, key).finally(() => {
        if (inFlight.get(joinKey) === answer) inFlight.delete(joinKey)
      })
      inFlight.set(joinKey, answer)
      return answer
    },
    stats: () => ({ enabled: !broken, storage: storage.kind, ...counts }),
    async clear() {
      inFlight.clear()
      if (storage.kind === 'memory') await storage.storage.clear('')
    },
    async close() {
      await tail?.stop()
      storage.close()
    },
  }
}

/** What `action` gives (memory storage answers at once, Redis with a promise); undefined when it throws (a lookup that fails is a miss). */
async function quietly<T>(action: () => T | Promise<T>, onError: (error: unknown) => void = () => {}): Promise<T | undefined> {
  try {
    return await action()
  } catch (error) {
    onError(error)
    return undefined
  }
}

/** What makes two requests the same answer: schema, document, operation, variables and visibility (the viewer but its subject). */
function keyOf(requestContext: Parameters<GatewayExecutor>[0], viewer: Viewer): string | null {
  try {
    const visibility = [[...viewer.roles].sort(), [...viewer.scopes].sort(), viewer.locationIds === null ? null : [...viewer.locationIds].sort()]
    // the document by Apollo's hash of it (a filtered document has its own)
    const text = JSON.stringify([requestContext.schemaHash, requestContext.queryHash, requestContext.operationName ?? null, requestContext.request.variables ?? {}, visibility])
    return text.length <= 512 ? text : createHash('sha256').update(text).digest('base64url')
  } catch {
    // variables too deep to serialize: they run alone, and are refused there
    return null
  }
}

/** The record of the request a fetch belongs to, if its answer is being considered for the cache. */
export const fetchRecordOf = (context: GatewayContext | undefined): FetchRecord | undefined => (context as RecordingContext | undefined)?.fetchRecord
