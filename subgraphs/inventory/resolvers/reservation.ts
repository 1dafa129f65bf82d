import type { ReservationResolvers } from '../generated/resolvers.ts'
import { itemOf, locationOf } from '../references.ts'

export const Reservation: ReservationResolvers = {
  // the loader answers null for viewers who may not see it, exactly as for an unknown id
  __resolveReference: (ref, ctx) => ctx.loaders.reservation.load(ref.id),
  item: (reservation, _args, ctx) => itemOf(ctx, reservation.sku),
  location: (reservation, _args, ctx) => locationOf(ctx, reservation.locationId),
}
