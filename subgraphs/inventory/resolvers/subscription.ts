import type { StockLevelChangedEventResolvers, SubscriptionResolvers } from '../generated/resolvers.ts'
import type { StockEventModel } from '../models.ts'
import { locationOf } from '../references.ts'
import { stockEventCursor } from '../stockFeed.ts'

export const Subscription: SubscriptionResolvers = {
  stockLevelChanged: {
    subscribe: async (_root, { filter, after }, ctx) => {
      const events = await ctx.stockFeed.subscribe(ctx.viewer, filter, after)
      return events as unknown as AsyncIterable<unknown>
    },
    resolve: (event: StockEventModel) => event,
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
