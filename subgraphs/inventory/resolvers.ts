import { scalarResolvers } from '../../platform/scalars.ts'
import type { Resolvers } from './generated/resolvers.ts'
import { InventoryAdjustmentGroup, InventoryChange } from './resolvers/adjustmentGroup.ts'
import { DemandForecast } from './resolvers/demandForecast.ts'
import { InventoryItem } from './resolvers/inventoryItem.ts'
import { InventoryLevel } from './resolvers/inventoryLevel.ts'
import { Allocation, LineItem } from './resolvers/lineItem.ts'
import { Location } from './resolvers/location.ts'
import { Mutation } from './resolvers/mutation.ts'
import { InventoryAdjustPayload, InventoryReservePayload, ReplenishmentPayload, ReplenishmentPolicySetPayload } from './resolvers/payloads.ts'
import { ProductVariant } from './resolvers/productVariant.ts'
import { PartnerFeed, PartnerFeedMapping, PartnerFeedMappingApprovePayload, PartnerFeedSummary, partnerFeedQueries } from './resolvers/partnerFeed.ts'
import { Query } from './resolvers/query.ts'
import { Replenishment, ReplenishmentLine } from './resolvers/replenishment.ts'
import { Reservation } from './resolvers/reservation.ts'
import { StockLevelChangedEvent, Subscription } from './resolvers/subscription.ts'

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query: { ...Query, ...partnerFeedQueries },
  Mutation,
  Subscription,
  StockLevelChangedEvent,
  Location,
  InventoryItem,
  InventoryLevel,
  DemandForecast,
  ProductVariant,
  Reservation,
  LineItem,
  Allocation,
  Replenishment,
  ReplenishmentLine,
  InventoryAdjustmentGroup,
  InventoryChange,
  InventoryAdjustPayload,
  InventoryReservePayload,
  ReplenishmentPolicySetPayload,
  ReplenishmentPayload,
  PartnerFeed,
  PartnerFeedSummary,
  PartnerFeedMapping,
  PartnerFeedMappingApprovePayload,
}
