import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setImmediate as tick } from 'node:timers/promises'
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface'
import pino from 'pino'
import type { Bus, TailSpec } from '../platform/bus.ts'
import type { EventEnvelope } from '../platform/events.ts'
import { customer, staff, testConfig } from '../platform/testing.ts'
import { ANONYMOUS, type Viewer } from '../platform/viewer.ts'
import { subjectOf } from '../platform/events.ts'
import { CATALOG_AGGREGATES } from '../subgraphs/catalog/events.ts'
import { INVENTORY_AGGREGATES } from '../subgraphs/inventory/events.ts'
import { executorRequest } from './executorTesting.ts'
import { createResponseCache, fetchRecordOf, LEVEL_CHANGED, PRICES_CHANGED, type FetchSeen } from './responseCache.ts'
import type { GatewayContext } from './context.ts'

/** A bus whose tail the test drives by hand. */
function handBus() {
  let spec: TailSpec | null = null
  const bus = {
    tail: async (tail: TailSpec) => {
      spec = tail
      return { stop: async () => {} }
    },
  } as unknown as Bus
  return {
    bus,
    publish: async (event: Pick<EventEnvelope, 'source' | 'aggregateType' | 'type' | 'payload'>) => {
      spec!.onEvent({ id: 'e', aggregateId: 'a', sequence: 1, occurredAt: new Date().toISOString(), traceContext: {}, ...event } as EventEnvelope)
      await tick()
    },
    breakTail: () => spec!.onError?.(new Error('gone')),
  }
}

const stockChanged = (sku: string) => ({ source: 'inventory' as const, aggregateType: 'InventoryLevel', type: 'StockLevelChanged', payload: { sku, locationId: 'loc_1' } })
const pricesChanged = (sku: string) => ({ source: 'catalog' as const, aggregateType: 'ProductVariant', type: 'VariantPricesChanged', payload: { sku } })

const catalogRoot: FetchSeen = { service: 'catalog', representations: undefined, cacheControl: null }
const stockOf = (...skus: string[]): FetchSeen => ({ service: 'inventory', representations: skus.map((sku) => ({ __typename: 'ProductVariant', sku })), cacheControl: null })

/** An executor that "fetches" what the test says (telling the request's record, as the data source does) and counts its runs. */
function scriptedExecutor(fetches: readonly FetchSeen[], result: GatewayExecutionResult = { data: { ok: true } }) {
  const state = { runs: 0, hold: null as Promise<void> | null }
  const executor = async (requestContext: GatewayGraphQLRequestContext) => {
    state.runs++
    const record = fetchRecordOf(requestContext.context as unknown as GatewayContext)
    for (const fetch of fetches) record?.seen(fetch)
    if (state.hold) await state.hold
    return { ...result, data: result.data ? { ...result.data, run: state.runs } : result.data }
  }
  return { executor, state }
}

const requestOf = (source: string, viewer: Viewer = ANONYMOUS, variables: Record<string, unknown> = {}) => executorRequest(source, variables, viewer)

const QUERY = '{ product(handle: "tee") { title } }'

async function cacheWith(fetches: readonly FetchSeen[], result?: GatewayExecutionResult) {
  const hand = handBus()
  const cache = await createResponseCache({ config: testConfig, bus: hand.bus, logger: pino({ level: 'silent' }) })
  const scripted = scriptedExecutor(fetches, result)
  return { ...hand, cache, state: scripted.state, execute: cache.wrap(scripted.executor as never) }
}

describe('the gateway response cache', () => {
  it("tails the subjects catalog and inventory publish their price and stock changes on", () => {
    assert.equal(PRICES_CHANGED, subjectOf({ source: 'catalog', aggregateType: CATALOG_AGGREGATES.VariantPricesChanged, type: 'VariantPricesChanged' }))
    assert.equal(LEVEL_CHANGED, subjectOf({ source: 'inventory', aggregateType: INVENTORY_AGGREGATES.StockLevelChanged, type: 'StockLevelChanged' }))
  })

  it('answers a repeated shareable query without running it, per variables', async () => {
    const { execute, state, cache } = await cacheWith([catalogRoot, stockOf('TEE-S')])
    const first = await execute(requestOf(QUERY))
    assert.deepEqual(await execute(requestOf(QUERY)), first)
    assert.equal(state.runs, 1)
    await execute(requestOf(QUERY, ANONYMOUS, { other: 1 }))
    assert.equal(state.runs, 2, 'other variables are another answer')
    assert.deepEqual({ hits: cache.stats().hits, stored: cache.stats().stored }, { hits: 1, stored: 2 })
  })

  it("drops an answer when its sku's stock changes, and only then", async () => {
    const { execute, state, publish } = await cacheWith([catalogRoot, stockOf('TEE-S', 'TEE-M')])
    await execute(requestOf(QUERY))
    await publish(stockChanged('MUG-1'))
    await execute(requestOf(QUERY))
    assert.equal(state.runs, 1, 'another sku keeps it')
    await publish(stockChanged('TEE-M'))
    await execute(requestOf(QUERY))
    assert.equal(state.runs, 2)
  })

  it('drops every catalog answer on a price change, and stock read by a root field on any stock change', async () => {
    const prices = await cacheWith([catalogRoot])
    await prices.execute(requestOf(QUERY))
    await prices.publish(pricesChanged('ANY-1'))
    await prices.execute(requestOf(QUERY))
    assert.equal(prices.state.runs, 2)

    const root = await cacheWith([{ service: 'inventory', representations: undefined, cacheControl: null }])
    await root.execute(requestOf(QUERY))
    await root.publish(stockChanged('ANY-1'))
    await root.execute(requestOf(QUERY))
    assert.equal(root.state.runs, 2)
  })

  for (const [what, fetches, result] of [
    ['an orders fetch', [catalogRoot, { service: 'orders', representations: undefined, cacheControl: null }], undefined],
    ['a finance fetch', [{ service: 'finance', representations: [{ __typename: 'Order', id: 'o1' }], cacheControl: null }], undefined],
    ['an unknown subgraph', [{ service: 'reviews', representations: undefined, cacheControl: null }], undefined],
    ['inventory reservations', [{ service: 'inventory', representations: [{ __typename: 'Reservation', id: 'r1' }], cacheControl: null }], undefined],
    ['a no-store answer', [{ ...catalogRoot, cacheControl: 'no-store' }], undefined],
    ['a private answer', [{ ...catalogRoot, cacheControl: 'private, max-age=60' }], undefined],
    ['max-age=0 (a scheduled price starts now)', [{ ...catalogRoot, cacheControl: 'max-age=0' }], undefined],
    ['an answer with an error', [catalogRoot], { data: { product: null }, errors: [{ message: 'down' }] }],
  ] as [string, FetchSeen[], GatewayExecutionResult | undefined][]) {
    it(`never stores ${what}`, async () => {
      const { execute, state, cache } = await cacheWith(fetches, result)
      await execute(requestOf(QUERY))
      await execute(requestOf(QUERY))
      assert.equal(state.runs, 2)
      assert.equal(cache.stats().stored, 0)
    })
  }

  it('keeps an answer no longer than the shortest max-age a subgraph gave', async () => {
    const { execute, state } = await cacheWith([{ ...catalogRoot, cacheControl: 'max-age=1' }])
    await execute(requestOf(QUERY))
    await execute(requestOf(QUERY))
    assert.equal(state.runs, 1)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await execute(requestOf(QUERY))
    assert.equal(state.runs, 2)
  })

  it('shares answers within one visibility only, never with or for staff, never for mutations', async () => {
    const { execute, state } = await cacheWith([catalogRoot, stockOf('TEE-S')])
    const partner: Viewer = { sub: 'p1', roles: ['partner'], scopes: ['stock:read'], locationIds: ['loc_2', 'loc_1'] }
    await execute(requestOf(QUERY))
    await execute(requestOf(QUERY, customer('c_1')))
    await execute(requestOf(QUERY, customer('c_2')))
    assert.equal(state.runs, 2, 'customers share one answer, apart from anonymous viewers')
    await execute(requestOf(QUERY, partner))
    await execute(requestOf(QUERY, { ...partner, sub: 'p2', locationIds: ['loc_1', 'loc_2'] }))
    assert.equal(state.runs, 3, 'partners with the same locations share')
    await execute(requestOf(QUERY, staff()))
    await execute(requestOf(QUERY, staff()))
    assert.equal(state.runs, 5, 'staff run every time')
    const mutation = 'mutation { touch }'
    await execute(requestOf(mutation))
    await execute(requestOf(mutation))
    assert.equal(state.runs, 7)
  })

  it('does not store an answer whose tags an event dropped while it ran, and runs identical misses once', async () => {
    const { execute, state, publish } = await cacheWith([stockOf('TEE-S')])
    let release = () => {}
    state.hold = new Promise<void>((resolve) => (release = resolve))
    const a = execute(requestOf(QUERY))
    const b = execute(requestOf(QUERY))
    await tick()
    await publish(stockChanged('TEE-S'))
    const c = execute(requestOf(QUERY))
    state.hold = null
    release()
    const [ra, rb, rc] = await Promise.all([a, b, c])
    assert.equal(ra, rb, 'the second joined the first')
    assert.notEqual(rc, ra, 'a request after the event does not join a run begun before it')
    assert.equal(state.runs, 2)
    await execute(requestOf(QUERY))
    assert.equal(state.runs, 2, 'the run begun after the event was stored')
  })

  it("never hands one viewer's answer in flight to another subject, whose answer it may not be", async () => {
    const { execute, state } = await cacheWith([{ service: 'orders', representations: undefined, cacheControl: null }])
    let release = () => {}
    state.hold = new Promise<void>((resolve) => (release = resolve))
    const mine = execute(requestOf(QUERY, customer('c_1')))
    const theirs = execute(requestOf(QUERY, customer('c_2')))
    const mineAgain = execute(requestOf(QUERY, customer('c_1')))
    await tick()
    release()
    const [a, b, c] = await Promise.all([mine, theirs, mineAgain])
    assert.equal(state.runs, 2, "each subject's request ran")
    assert.notEqual(a, b)
    assert.equal(a, c, 'the same viewer joined its own request')
  })

  it('answers without the cache once its tail breaks', async () => {
    const { execute, state, breakTail, cache } = await cacheWith([catalogRoot])
    await execute(requestOf(QUERY))
    breakTail()
    await execute(requestOf(QUERY))
    await execute(requestOf(QUERY))
    assert.equal(state.runs, 3)
    assert.equal(cache.stats().enabled, false)
  })
})
