import { forbidden, unauthenticated } from '../../platform/errors.ts'
import { hasRole, isStaff, type Viewer } from '../../platform/viewer.ts'
import type { ReservationModel } from './models.ts'

/**
 * The locations whose levels the viewer may see, narrowed by what the query asked for; null
 * means no restriction. A viewer whose token names `locations` (a partner's 3PL, say) sees only
 * those, whatever it asks for.
 */
export function visibleLocationIds(viewer: Viewer, requested: readonly string[] | null | undefined): readonly string[] | null {
  const allowed = viewer.locationIds
  if (requested === null || requested === undefined) return allowed
  if (allowed === null) return requested
  return requested.filter((id) => allowed.includes(id))
}

export const canSeeLocation = (viewer: Viewer, locationId: string): boolean =>
  viewer.locationIds === null || viewer.locationIds.includes(locationId)

/** Reservations are holds on stock: staff and partners see them (partners at their locations). */
export const canSeeReservation = (viewer: Viewer, reservation: ReservationModel): boolean =>
  (isStaff(viewer) || hasRole(viewer, 'partner')) && canSeeLocation(viewer, reservation.locationId)

/** The ledger is an internal audit trail. */
export const canSeeLedger = (viewer: Viewer): boolean => isStaff(viewer)

/**
 * Demand forecasts and stock-out risk are planning data, not stock a shopper needs: staff, and
 * partners holding `stock:read` at the location (as for the stock feed). Refused as an error rather
 * than null, so a viewer can tell "not allowed" from "no such level".
 */
export function requireDemandAccess(viewer: Viewer, locationId: string): void {
  if (viewer.sub === null) throw unauthenticated()
  const allowed = (isStaff(viewer) || (hasRole(viewer, 'partner') && viewer.scopes.includes('stock:read'))) && canSeeLocation(viewer, locationId)
  if (!allowed) throw forbidden(`Demand forecasts need the staff role, or the partner role with the 'stock:read' scope at location ${locationId}`)
}

/**
 * Partner feeds: staff read every partner's files and mappings; a partner holding `feeds:write`
 * reads its own (its token's subject is its partner id). Anyone else is refused.
 */
export function requireFeedReader(viewer: Viewer): void {
  if (viewer.sub === null) throw unauthenticated()
  if (!isStaff(viewer) && !(hasRole(viewer, 'partner') && viewer.scopes.includes('feeds:write'))) {
    throw forbidden("Partner feeds need the staff role, or the partner role with the 'feeds:write' scope")
  }
}

/** Whether the viewer (a feed reader) may see this partner's files: staff, or the partner itself. */
export const canSeePartnerFeeds = (viewer: Viewer, partnerId: string): boolean => isStaff(viewer) || viewer.sub === partnerId
