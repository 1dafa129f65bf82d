import type { StockLevelChangedEventResolvers, SubscriptionResolvers } from '../generated/resolvers.ts'
import { visibleLocationIds } from '../access.ts'
import type { StockEventModel } from '../models.ts'
import { locationOf } from '../references.ts'
import { stockEventCursor } from '../stockFeed.ts'
import { availableToSellBySkus } from '../store/levelStore.ts'
import type { Context } from '../subgraph.ts'

export const Subscription: SubscriptionResolvers = {
  stockLevelChanged: {
    subscribe: async (_root, { filter, after }, ctx) => {
      const events = await ctx.stockFeed.subscribe(ctx.viewer, filter, after)
      return events as unknown as AsyncIterable<unknown>
    },
    resolve: (event: StockEventModel) => event,
  },
  availableToSellChanged: {
    subscribe: (_root, { skus }, ctx) => ctx.stockFeed.followAvailability(ctx.viewer, skus) as unknown as AsyncIterable<unknown>,
    // the total as it stands now, read past the loaders: a subscription's context lives as long as
    // it does, so a loader would answer every event with the first one's total
    resolve: async (event: StockEventModel, _args: unknown, ctx: Context) => {
      const { sku } = event.payload
      const totals = await availableToSellBySkus(ctx.db, [sku], visibleLocationIds(ctx.viewer, null))
      return { sku, availableToSell: totals.get(sku) ?? 0, occurredAt: event.occurredAt }
    },
  },
}

export const StockLevelChangedEvent: StockLevelChangedEventResolvers = {
  eventId: (event) => event.eventId,
  cursor: (event) => stockEventCursor(event),
  occurredAt: (event) => event.occurredAt,
  version: (event) => event.payload.version,
  sku: (event) => event.payload.sku,
  location: (event, _args, ctx) => locationOf(ctx, event.payload.locationId),
  variant: (event) => ({ sku: event.payload.sku }),
  changes: (event) => [...event.payload.changes],
  transition: (event) => event.payload.transition,
  reason: (event) => event.payload.reason as never,
  referenceDocumentUri: (event) => event.payload.referenceDocumentUri,
}
