import type { AnomalyDetector, Observation } from './anomalyDetector.ts'

/**
 * Test support: simulated clients, as timed observations, and a fake clock to replay them on.
 * Shapes and costs follow the seed world and the storefront operations (operations/storefront):
 * SKUs like TOP-0041-RED, handles like classic-tee-041, ProductPage measuring 772.
 */

export interface Timed {
  /** ms since the start of the simulation */
  readonly at: number
  readonly observation: Observation
}

/** 0 … n-1 in a random order (Fisher-Yates). */
export function shuffled(random: () => number, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j] as number, order[i] as number]
  }
  return order
}

export interface FakeClock {
  readonly now: () => number
  set(ms: number): void
}

export function fakeClock(start: number): FakeClock {
  let time = start
  return { now: () => time, set: (ms) => { time = ms } }
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

interface Product {
  readonly handle: string
  readonly skus: readonly string[]
}

const TOPS = ['TOP', 'BTM', 'SHO', 'ACC', 'OUT']
const NOUNS = ['tee', 'shirt', 'jacket', 'scarf', 'boot', 'cap', 'sweater', 'jean']
const COLORS = ['RED', 'BLUE', 'BLACK', 'WHITE']

/** 220 products of 3 or 4 variants, in five top categories (as seed/world.ts builds them). */
export const CATALOG: readonly Product[] = Array.from({ length: 220 }, (_, i) => {
  const no = i + 1
  const top = TOPS[Math.floor(i / 44)] as string
  return {
    handle: `classic-${NOUNS[i % NOUNS.length]}-${pad(no, 3)}`,
    skus: COLORS.slice(0, 3 + (no % 2)).map((color) => `${top}-${pad(no, 4)}-${color}`),
  }
})
const CATEGORIES = TOPS.map((top) => `cat_${top.toLowerCase()}`)

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

/**
 * One shopper for `durationMs`: listings, searches, product pages (a few missing), cart adds and
 * views, with 2-20 s of thought between clicks, and one checkout somewhere between minute 5 and 9.
 */
export function browsingCustomer(random: () => number, clientKey: string, durationMs: number): Timed[] {
  const cartId = `cart_${clientKey}`
  const out: Timed[] = []
  const op = (at: number, cost: number, keys: string[], stockRead: boolean, error = false) =>
    out.push({ at, observation: { clientKey, cohort: 'customer', cost, keys, stockRead, error } })
  const checkoutAt = (5 + random() * 4) * 60_000
  let checkedOut = false
  let category = Math.floor(random() * CATEGORIES.length)
  for (let at = random() * 60_000; at < durationMs; at += 2_000 + random() * 18_000) {
    if (!checkedOut && at >= checkoutAt) {
      checkedOut = true
      op(at, 74, [cartId], true)
      at += 2_000 + random() * 18_000
      op(at, 23, [cartId], true)
      continue
    }
    const roll = random()
    // shoppers stay in a category for a while, so products come from a neighbourhood, in no order
    const product = CATALOG[category * 44 + Math.floor(random() * 44)] as Product
    if (roll < 0.2) {
      if (random() < 0.3) category = Math.floor(random() * CATEGORIES.length)
      op(at, 98, [CATEGORIES[category] as string], false)
    } else if (roll < 0.28) op(at, 62, [], false)
    else if (roll < 0.78) op(at, 772, [product.handle], true, random() < 0.02)
    else if (roll < 0.9) op(at, 84, [cartId, pick(random, product.skus)], true)
    else op(at, 74, [cartId], true)
  }
  return out
}

export interface ScraperShape {
  readonly clientKey: string
  readonly startMs: number
  readonly durationMs: number
  readonly perSecond: number
  /** the n-th identifier it reads (from 0) */
  readonly keyOf: (n: number) => string
  /** identifiers per request (default 1) */
  readonly keysPerRequest?: number
  /** whether its requests read stock (default true) */
  readonly stockRead?: boolean
}

/** A bot reading identifiers (their stock, by default) at a steady pace, anonymously. */
export function stockScraper(shape: ScraperShape): Timed[] {
  const { keysPerRequest = 1, stockRead = true } = shape
  const gap = 1000 / shape.perSecond
  const count = Math.floor(shape.durationMs / gap)
  return Array.from({ length: count }, (_, n) => ({
    at: shape.startMs + n * gap,
    observation: {
      clientKey: shape.clientKey, cohort: 'anonymous', cost: 30, stockRead, error: false,
      keys: Array.from({ length: keysPerRequest }, (_, k) => shape.keyOf(n * keysPerRequest + k)),
    },
  }))
}

export const sequentialSku = (n: number) => `SKU-${pad(n + 1, 5)}`

/** A partner's stock sync: one inventoryLevels read per location, each of its three, every second. */
export function partnerPoller(clientKey: string, startMs: number, durationMs: number): Timed[] {
  const out: Timed[] = []
  for (let at = startMs; at < startMs + durationMs; at += 1_000) {
    for (let location = 1; location <= 3; location++) {
      out.push({ at: at + location * 10, observation: { clientKey, cohort: 'partner', cost: 40, keys: [`loc_${clientKey}_${location}`], stockRead: true, error: false } })
    }
  }
  return out
}

/** Merges schedules in time order (ties keep their schedule's order). */
export function merge(...schedules: Timed[][]): Timed[] {
  return schedules.flat().sort((a, b) => a.at - b.at)
}

export interface ReplayHooks {
  /** what the client's operation turns into (a throttled client's operations are refused: error) */
  readonly before?: (timed: Timed) => Observation
  /** after each observation: assertions, bookkeeping */
  readonly after?: (observation: Observation, at: number) => void
}

/** Replays a schedule on a fake clock, `start` being the schedule's time 0. */
export function replay(detector: AnomalyDetector, clock: FakeClock, start: number, schedule: readonly Timed[], hooks: ReplayHooks = {}): void {
  for (const timed of schedule) {
    clock.set(start + timed.at)
    const observation = hooks.before?.(timed) ?? timed.observation
    detector.observe(observation)
    hooks.after?.(observation, timed.at)
  }
}
