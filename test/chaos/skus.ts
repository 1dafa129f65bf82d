import { buildWorld } from '../../seed/world.ts'

/**
 * Skus of the seeded store a chaos test can sell without running out or meeting the seed's own
 * reservations: an active product's variant priced in USD, with at least `minAvailable` units at
 * the east warehouse and nothing reserved anywhere (a seeded reservation expiring mid-test would
 * move RESERVED under the assertions). `skip` leaves the first ones to another test of the file.
 */
export function sellableSkus(count: number, skip = 0, minAvailable = 100): string[] {
  const world = buildWorld()
  const active = new Set(world.products.filter((p) => p.status === 'ACTIVE').map((p) => p.id))
  const usd = new Set(world.prices.filter((p) => p.currency === 'USD' && p.validFrom === null && p.channelId === null).map((p) => p.sku))
  const reserved = new Set(world.stockLevels.filter((l) => l.reserved > 0).map((l) => l.sku))
  const stocked = new Set(world.stockLevels.filter((l) => l.locationId === 'loc_wh_east' && l.available >= minAvailable).map((l) => l.sku))
  const skus = world.variants.filter((v) => active.has(v.productId) && usd.has(v.sku) && stocked.has(v.sku) && !reserved.has(v.sku)).map((v) => v.sku)
  if (skus.length < skip + count) throw new Error(`the seeded store has ${skus.length} such skus, not ${skip + count}`)
  return skus.slice(skip, skip + count)
}
