/**
 * Test support: a SubscriptionHub over the tiny in-memory supergraph, with a fake upstream
 * transport and a hand-driven clock. Planning, per-event execution and catalog's entity fetches
 * are real; only the stock subgraph's stream is played by the test.
 */
import assert from 'node:assert/strict'
import type { FastifyBaseLogger } from 'fastify'
import { parse, type ExecutionResult } from 'graphql'
import pino from 'pino'
import type { Viewer } from '../../platform/viewer.ts'
import { FakeTransport, ManualClock, type FakeSubscription } from './fakeUpstream.ts'
import { SubscriptionHub, type SubscriptionHubOptions } from './hub.ts'
import type { SubscriptionMetrics } from './metrics.ts'
import { stockEventFor, tinySupergraph, titleOf, type StockEvent } from './tinySupergraph.ts'

export const FEED_QUERY = `subscription Feed($sku: String!, $after: String) {
  stockChanged(sku: $sku, after: $after) { sku available cursor variant { title } }
}`

export const PARTNER: Viewer = { sub: 'partner_acme', roles: ['partner'], scopes: ['stock:read'], locationIds: null }
export const OTHER_PARTNER: Viewer = { ...PARTNER, sub: 'partner_other' }
/** A partner limited to some locations: another visibility. */
export const EU_PARTNER: Viewer = { ...PARTNER, sub: 'partner_eu', locationIds: ['loc_eu'] }

export const event = (cursor: string, available: number, sku = 'A'): StockEvent => ({ cursor, sku, available })

/** What a FEED_QUERY subscriber receives for `e`. */
export const delivered = (e: StockEvent) => ({ data: { stockChanged: { sku: e.sku, available: e.available, cursor: e.cursor, variant: { title: titleOf(e.sku) } } } })

export const NO_METRICS: SubscriptionMetrics = {
  subscribers: 0, upstreamSubscriptions: 0, upstreamSubscribes: 0, upstreamRetries: 0, upstreamPauses: 0, upstreamMerges: 0, upstreamEvents: 0, executions: 0,
  entityFetches: 0, entityFetchesShared: 0, delivered: 0, slowConsumerDisconnects: 0,
}

export interface SubscribeOptions {
  readonly viewer?: Viewer
  readonly variables?: Record<string, unknown>
  readonly query?: string
  readonly operationName?: string
  readonly onSlowConsumer?: () => void
}

export function hubHarness(options: Partial<Pick<SubscriptionHubOptions, 'maxBufferedEvents' | 'maxPendingEvents' | 'retry'>> = {}) {
  const tiny = tinySupergraph()
  const transport = new FakeTransport()
  const clock = new ManualClock()
  const hub = new SubscriptionHub({
    signingSecret: 'unused: the fake transport signs nothing',
    logger: pino({ level: 'silent' }) as FastifyBaseLogger,
    maxBufferedEvents: 100,
    transport,
    clock,
    ...options,
  })

  const subscribe = (request: SubscribeOptions = {}): AsyncIterableIterator<ExecutionResult> => {
    const query = request.query ?? FEED_QUERY
    const started = hub.subscribe(tiny.runtime, {
      query,
      document: parse(query),
      operationName: request.operationName ?? 'Feed',
      variables: request.variables ?? { sku: 'A' },
      viewer: request.viewer ?? PARTNER,
      onSlowConsumer: request.onSlowConsumer ?? (() => assert.fail('unexpected slow consumer')),
    })
    assert.ok(Symbol.asyncIterator in started, JSON.stringify(started))
    return started
  }

  /** The subgraph sends `e` on `upstream`, shaped by the upstream operation the hub sent. */
  const emit = (upstream: FakeSubscription, e: StockEvent) => upstream.emit(stockEventFor(tiny.stockSchema, upstream.request.query, upstream.request.variables, e))

  return { tiny, transport, clock, hub, subscribe, emit }
}

/** The next result of a subscriber, as the socket would send it (the executor builds null-prototype objects). */
export async function next(subscriber: AsyncIterableIterator<ExecutionResult>): Promise<unknown> {
  const { done, value } = await subscriber.next()
  return done ? 'done' : JSON.parse(JSON.stringify(value))
}
