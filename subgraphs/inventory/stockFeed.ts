import type { FastifyBaseLogger } from 'fastify'
import { createAsyncQueue, type AsyncQueue } from '../../platform/asyncQueue.ts'
import type { Bus, ConsumerHandle } from '../../platform/bus.ts'
import { tailEvents } from '../../platform/consumer.ts'
import type { Database } from '../../platform/db.ts'
import { badUserInput, forbidden, graphqlError } from '../../platform/errors.ts'
import { subjectOf, type EventOf } from '../../platform/events.ts'
import { connectionKind } from '../../platform/pagination.ts'
import { hasRole, isStaff, type Viewer } from '../../platform/viewer.ts'
import { visibleLocationIds } from './access.ts'
import { INVENTORY_AGGREGATES, type InventoryEvents, type StockLevelChanged } from './events.ts'
import type { InventoryQuantityName, StockLevelFilterInput } from './generated/resolvers.ts'
import { kit } from './kit.ts'
import type { StockEventModel } from './models.ts'
import { lastLogPosition, stockEventsAfter } from './store/stockEventStore.ts'

export const MAX_SUBSCRIPTION_SKUS = 500
/** Locations one stock subscription may name (a longer list is BAD_USER_INPUT, as for skus). */
export const MAX_SUBSCRIPTION_LOCATIONS = 500
export const STOCK_READ_SCOPE = 'stock:read'
/** SKUs one availableToSellChanged subscription may follow: a storefront page's variants, with room. */
export const MAX_AVAILABILITY_SKUS = 200
/** An event's cursor: its log position and when it occurred (to tell a cursor past the retention). */
const STOCK_EVENTS = connectionKind('StockLevelChangedEvent', ['integer', 'integer'])
const REPLAY_PAGE = 500
const STOCK_EVENT = 'StockLevelChanged' satisfies keyof InventoryEvents
const STOCK_SUBJECT = subjectOf({ source: kit.name, aggregateType: INVENTORY_AGGREGATES[STOCK_EVENT], type: STOCK_EVENT })

export const stockEventCursor = (event: StockEventModel): string => STOCK_EVENTS.encode([event.logPosition, Date.parse(event.occurredAt)])

/** What one subscription asked for, validated, with the viewer's location limits applied. */
interface Matcher {
  readonly skus: readonly string[] | null
  readonly locationIds: readonly string[] | null
  readonly quantityNames: ReadonlySet<InventoryQuantityName>
  readonly transitionsOnly: boolean
}

const matches = (m: Matcher, event: StockLevelChanged): boolean =>
  (m.skus === null || m.skus.includes(event.sku)) &&
  (m.locationIds === null || m.locationIds.includes(event.locationId)) &&
  (!m.transitionsOnly || event.transition !== 'NONE') &&
  event.changes.some((change) => m.quantityNames.has(change.name))

export function canReadStockFeed(viewer: Viewer): boolean {
  return (isStaff(viewer) || hasRole(viewer, 'partner')) && viewer.scopes.includes(STOCK_READ_SCOPE)
}

function matcherOf(viewer: Viewer, filter: StockLevelFilterInput): Matcher {
  if (!canReadStockFeed(viewer)) throw forbidden(`The stock feed needs the partner or staff role and the '${STOCK_READ_SCOPE}' scope`)
  const skus = filter.skus ?? null
  const requestedLocations = filter.locationIds ?? null
  if ((skus === null || skus.length === 0) && (requestedLocations === null || requestedLocations.length === 0)) {
    throw badUserInput('filter needs skus and/or locationIds', 'filter')
  }
  if (skus !== null && skus.length > MAX_SUBSCRIPTION_SKUS) {
    throw badUserInput(`filter.skus lists ${skus.length} skus; at most ${MAX_SUBSCRIPTION_SKUS} per subscription`, 'filter')
  }
  if (requestedLocations !== null && requestedLocations.length > MAX_SUBSCRIPTION_LOCATIONS) {
    throw badUserInput(`filter.locationIds lists ${requestedLocations.length} locations; at most ${MAX_SUBSCRIPTION_LOCATIONS} per subscription`, 'filter')
  }
  const quantityNames = filter.quantityNames ?? ['AVAILABLE']
  if (quantityNames.length === 0) throw badUserInput('filter.quantityNames must name at least one quantity', 'filter')
  return {
    skus: skus === null || skus.length === 0 ? null : [...new Set(skus)],
    // a partner limited to some locations never hears of others, whatever it asks for
    locationIds: visibleLocationIds(viewer, requestedLocations === null || requestedLocations.length === 0 ? null : requestedLocations),
    quantityNames: new Set(quantityNames),
    transitionsOnly: filter.transitionsOnly ?? false,
  }
}

/**
 * What an availableToSellChanged subscription follows: AVAILABLE changes of the given skus at the
 * locations the viewer may see. Open to anyone: what it leads to is a total, never a level.
 */
function availabilityMatcherOf(viewer: Viewer, skus: readonly string[]): Matcher {
  if (skus.length === 0) throw badUserInput('skus must name at least one sku', 'skus')
  if (skus.length > MAX_AVAILABILITY_SKUS) throw badUserInput(`skus lists ${skus.length} skus; at most ${MAX_AVAILABILITY_SKUS} per subscription`, 'skus')
  return { skus: [...new Set(skus)], locationIds: visibleLocationIds(viewer, null), quantityNames: new Set(['AVAILABLE']), transitionsOnly: false }
}

interface Subscriber {
  readonly matcher: Matcher
  readonly queue: AsyncQueue<StockEventModel>
  /** Live events that arrived while the log was being replayed. */
  backlog: StockEventModel[] | null
  /** The last log position sent: anything at or below it is a duplicate. */
  last: number
}

export interface StockFeed {
  /**
   * The events matching `filter` that the viewer may see: first those after `after` from the
   * event log, in order, then live ones, with none missed or repeated across the switch.
   * Throws (before any event) on a bad filter, a bad cursor, or one past the retention.
   */
  subscribe(viewer: Viewer, filter: StockLevelFilterInput, after: string | null | undefined): Promise<AsyncIterableIterator<StockEventModel>>
  /**
   * Live AVAILABLE changes of `skus` at the locations the viewer may see, for anyone (the
   * storefront's stock badges). Throws (before any event) on an empty or too long list.
   */
  followAvailability(viewer: Viewer, skus: readonly string[]): AsyncIterableIterator<StockEventModel>
  /** Open subscriptions (tests check that disconnects release them). */
  readonly subscriberCount: number
  stop(): Promise<void>
}

export interface StockFeedOptions {
  readonly db: Database
  /** null: replay only (unit tests without a bus). */
  readonly bus: Bus | null
  readonly retentionMs: number
  readonly logger: FastifyBaseLogger
}

/**
 * The stock feed of one inventory replica. It tails `StockLevelChanged` on the bus (every replica
 * sees every event, so any replica serves any subscriber) and replays the event log for
 * subscribers that resume. Positions are the relay's publication order, the same order the bus
 * delivers in, so "after position N" means the same thing in the log and on the bus.
 */
export async function startStockFeed(options: StockFeedOptions): Promise<StockFeed> {
  const { db, bus, retentionMs, logger } = options
  const subscribers = new Set<Subscriber>()

  const deliver = (subscriber: Subscriber, event: StockEventModel) => {
    if (event.logPosition <= subscriber.last || !matches(subscriber.matcher, event.payload)) return
    subscriber.last = event.logPosition
    subscriber.queue.push(event)
  }

  const onEvent = (envelope: EventOf<InventoryEvents, typeof STOCK_EVENT>) => {
    if (envelope.logPosition === undefined) {
      logger.warn({ eventId: envelope.id }, 'stock event without a log position; not streamed')
      return
    }
    const event: StockEventModel = {
      eventId: envelope.id,
      logPosition: envelope.logPosition,
      occurredAt: envelope.occurredAt,
      payload: envelope.payload,
    }
    for (const subscriber of subscribers) {
      if (subscriber.backlog) subscriber.backlog.push(event)
      else deliver(subscriber, event)
    }
  }

  // A tail that breaks (the bus lost the consumer for good) ends every stream with an error, so
  // subscribers resume from their cursors (the log fills the gap), and is attached again.
  let tail: ConsumerHandle | null = null
  let stopped = false
  const attach = async (): Promise<void> => {
    if (!bus || stopped) return
    tail = await tailEvents(bus, {
      subjects: [STOCK_SUBJECT],
      onEvent,
      onError: (error) => {
        logger.error({ err: error }, 'stock feed lost the bus; ending its streams and attaching again')
        for (const subscriber of subscribers) subscriber.queue.fail(graphqlError('INTERNAL_SERVER_ERROR', 'The stock feed was interrupted; resume with your last cursor'))
        const previous = tail
        tail = null
        void previous?.stop().catch(() => {})
        const retry = (delayMs: number) =>
          setTimeout(() => {
            attach().catch((failure: unknown) => {
              logger.error({ err: failure }, 'stock feed cannot attach to the bus; retrying')
              retry(Math.min(delayMs * 2, 30_000))
            })
          }, delayMs).unref()
        retry(1000)
      },
    })
  }
  await attach()

  const startPosition = async (after: string | null | undefined): Promise<number | null> => {
    if (after === null || after === undefined) return null
    const [position, occurredAtMs] = STOCK_EVENTS.decode(after, 'after')
    if (position < 0) throw badUserInput(`'after' is not a valid cursor for this subscription`, 'after')
    if (occurredAtMs < Date.now() - retentionMs) {
      const hours = Math.round(retentionMs / 3600_000)
      throw graphqlError(
        'EVENT_CURSOR_EXPIRED',
        `The cursor is older than the event log keeps (${hours} h): resync with inventoryLevels(filter: { sinceVersion }) from the last version you applied, then subscribe without 'after'`,
        { retentionHours: hours },
      )
    }
    if (position > (await lastLogPosition(db))) throw badUserInput(`'after' names an event this service never published`, 'after')
    return position
  }

  const replay = async (subscriber: Subscriber) => {
    const { skus, locationIds } = subscriber.matcher
    for (;;) {
      // read the next page only when the socket has taken most of the last one: a long replay
      // never sits in memory whole
      while (subscriber.queue.size > REPLAY_PAGE / 2 && !subscriber.queue.closed) await new Promise((resolve) => setTimeout(resolve, 10))
      if (subscriber.queue.closed) return
      const page = await stockEventsAfter(db, { skus, locationIds }, { afterPosition: subscriber.last, limit: REPLAY_PAGE })
      for (const event of page) {
        deliver(subscriber, event)
        // past the ones that do not match too, so the next page starts after this one
        subscriber.last = event.logPosition
      }
      if (page.length < REPLAY_PAGE) break
    }
    // the log is read up to at least every event published before the tail caught this
    // subscriber; what the tail held meanwhile goes next, minus what the log already gave
    const backlog = subscriber.backlog ?? []
    subscriber.backlog = null
    for (const event of backlog) deliver(subscriber, event)
  }

  // attached before the log is read, so nothing published in between is missed
  const attachSubscriber = (matcher: Matcher, start: number | null): Subscriber => {
    const subscriber: Subscriber = {
      matcher,
      queue: createAsyncQueue<StockEventModel>(() => subscribers.delete(subscriber)),
      backlog: start === null ? null : [],
      last: start ?? 0,
    }
    subscribers.add(subscriber)
    return subscriber
  }

  return {
    async subscribe(viewer, filter, after) {
      const matcher = matcherOf(viewer, filter)
      const start = await startPosition(after)
      const subscriber = attachSubscriber(matcher, start)
      if (start !== null) {
        replay(subscriber).catch((error: unknown) => {
          logger.error({ err: error }, 'stock feed replay failed')
          subscriber.queue.fail(graphqlError('INTERNAL_SERVER_ERROR', 'The stock feed could not replay; resume with your last cursor'))
        })
      }
      return subscriber.queue
    },
    followAvailability(viewer, skus) {
      return attachSubscriber(availabilityMatcherOf(viewer, skus), null).queue
    },
    get subscriberCount() {
      return subscribers.size
    },
    async stop() {
      stopped = true
      await tail?.stop()
      for (const subscriber of subscribers) subscriber.queue.end()
      subscribers.clear()
    },
  }
}
