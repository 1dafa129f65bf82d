import { isSequentialStep } from './keyWalk.ts'

/**
 * One client's last minute of traffic, as a ring of six 10-second buckets. The window is read at
 * a bucket index: it holds the buckets (index - 6, index], so it spans 50 to 60 seconds, which
 * every rate calls "per minute". Nothing rotates on a timer: a slot is reused when its index comes
 * round again, and a stale slot is simply skipped when reading.
 */

export const BUCKET_MS = 10_000
export const WINDOW_BUCKETS = 6
/**
 * Distinct identifiers remembered per bucket. Past it the count saturates: 5,000 in 10 s is over
 * a hundred times any trip level, and it caps one client's memory at 30,000 small integers.
 */
export const MAX_KEYS_PER_BUCKET = 5_000
/** Identifiers taken from one operation (measureOperation collects at most 200). */
export const MAX_KEYS_PER_OPERATION = 200
/** Identifiers come from clients: a megabyte-long "SKU" is compared by its first 256 characters. */
export const MAX_KEY_LENGTH = 256

interface Bucket {
  index: number
  requests: number
  cost: number
  stockReads: number
  errors: number
  /** steps from one newly read identifier to the next */
  walkSteps: number
  /** of those, the steps that were sequential (keyWalk.ts) */
  walkSequential: number
  /** hashes of the identifiers whose latest read falls in this bucket (each lives in one bucket) */
  readonly keys: Set<number>
}

export interface ClientWindow {
  readonly slots: (Bucket | undefined)[]
  /** the last identifier read that had not been read in the minute before: where a walk stands */
  lastNewKey: string | null
}

export interface WindowCounts {
  readonly requests: number
  readonly cost: number
  readonly stockReads: number
  readonly errors: number
  readonly distinctKeys: number
  readonly walkSteps: number
  readonly walkSequential: number
}

export interface WindowOperation {
  readonly cost: number
  readonly keys: readonly string[]
  readonly stockRead: boolean
  readonly error: boolean
}

export function createClientWindow(): ClientWindow {
  return { slots: new Array<Bucket | undefined>(WINDOW_BUCKETS), lastNewKey: null }
}

export function bucketAt(timeMs: number): number {
  return Math.floor(timeMs / BUCKET_MS)
}

/**
 * FNV-1a, kept to 30 bits so V8 stores it as a small integer in the Set (no heap number per key).
 * A collision undercounts by one; at 30,000 keys that happens about once, far below any level.
 */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash & 0x3fffffff
}

function isLive(slot: Bucket | undefined, bucket: number): slot is Bucket {
  return slot !== undefined && slot.index > bucket - WINDOW_BUCKETS && slot.index <= bucket
}

function positionOf(bucket: number): number {
  return ((bucket % WINDOW_BUCKETS) + WINDOW_BUCKETS) % WINDOW_BUCKETS
}

function slotFor(window: ClientWindow, bucket: number): Bucket {
  const position = positionOf(bucket)
  const slot = window.slots[position]
  if (slot && slot.index === bucket) return slot
  if (slot) {
    // the slot held bucket - 6 (or older): its minute is over, reuse it
    slot.index = bucket
    slot.requests = slot.cost = slot.stockReads = slot.errors = slot.walkSteps = slot.walkSequential = 0
    slot.keys.clear()
    return slot
  }
  const fresh: Bucket = { index: bucket, requests: 0, cost: 0, stockReads: 0, errors: 0, walkSteps: 0, walkSequential: 0, keys: new Set() }
  window.slots[position] = fresh
  return fresh
}

function holderOf(window: ClientWindow, bucket: number, hash: number): Bucket | undefined {
  for (const slot of window.slots) if (isLive(slot, bucket) && slot.keys.has(hash)) return slot
  return undefined
}

/** Adds one operation to the bucket `bucket`, which must not be older than any bucket recorded before. */
export function recordOperation(window: ClientWindow, bucket: number, operation: WindowOperation): void {
  const slot = slotFor(window, bucket)
  slot.requests++
  slot.cost += operation.cost
  if (operation.stockRead) slot.stockReads++
  if (operation.error) slot.errors++
  const keys = operation.keys.length > MAX_KEYS_PER_OPERATION ? operation.keys.slice(0, MAX_KEYS_PER_OPERATION) : operation.keys
  for (const raw of keys) {
    const key = raw.length > MAX_KEY_LENGTH ? raw.slice(0, MAX_KEY_LENGTH) : raw
    const hash = hashKey(key)
    const holder = holderOf(window, bucket, hash)
    if (holder === slot) continue
    if (holder) {
      // read again: it now expires a minute from this bucket, not from the older one
      if (slot.keys.size < MAX_KEYS_PER_BUCKET) {
        holder.keys.delete(hash)
        slot.keys.add(hash)
      }
      continue
    }
    // Only identifiers new to the last minute advance a walk: a poller re-reading its three
    // locations every second is not walking anywhere, however regular its order.
    if (window.lastNewKey !== null) {
      slot.walkSteps++
      if (isSequentialStep(window.lastNewKey, key)) slot.walkSequential++
    }
    window.lastNewKey = key
    if (slot.keys.size < MAX_KEYS_PER_BUCKET) slot.keys.add(hash)
  }
}

/** The window's totals as they stand in bucket `bucket` (buckets bucket - 5 … bucket). */
export function countsAt(window: ClientWindow, bucket: number): WindowCounts {
  let requests = 0, cost = 0, stockReads = 0, errors = 0, distinctKeys = 0, walkSteps = 0, walkSequential = 0
  for (const slot of window.slots) {
    if (!isLive(slot, bucket)) continue
    requests += slot.requests
    cost += slot.cost
    stockReads += slot.stockReads
    errors += slot.errors
    distinctKeys += slot.keys.size
    walkSteps += slot.walkSteps
    walkSequential += slot.walkSequential
  }
  return { requests, cost, stockReads, errors, distinctKeys, walkSteps, walkSequential }
}

/** Whether the client sent anything during bucket `bucket` itself. */
export function activeIn(window: ClientWindow, bucket: number): boolean {
  const slot = window.slots[positionOf(bucket)]
  return slot !== undefined && slot.index === bucket && slot.requests > 0
}
