import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../../platform/db.ts'
import type { InventoryReserveInput, InventoryReserveLineInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { InventoryUserErrorModel, ReservePayloadModel } from '../models.ts'
import { itemsBySkus } from '../store/itemStore.ts'
import { applyLevelChanges } from '../store/levelChangeStore.ts'
import { bestFulfillingLocations, existingLevelKeys } from '../store/levelStore.ts'
import { locationsByIds } from '../store/locationStore.ts'
import { insertReservations } from '../store/reservationStore.ts'

export const failedReservation = (userErrors: InventoryUserErrorModel[]): ReservePayloadModel => ({ reservationIds: null, userErrors })

const keyOf = (sku: string, locationId: string) => `${sku}\u0000${locationId}`

interface Placed {
  readonly sku: string
  readonly locationId: string
  readonly quantity: number
  /** the line's index in the input */
  readonly i: number
}

/**
 * AVAILABLE → RESERVED for every line, or for none. Stock is taken by a conditional update
 * (`available >= quantity`), never by reading and then writing, so concurrent checkouts cannot
 * oversell; every short line is reported. A line without a location takes the active
 * online-fulfilling location with the most AVAILABLE that covers it.
 */
export async function reserve(
  tx: Queryable,
  input: InventoryReserveInput,
  options: { actor: string | null; defaultTtlSeconds: number },
): Promise<ReservePayloadModel> {
  const { lines } = input
  if (lines.length === 0) return failedReservation([kit.userError('NO_CHANGES', ['input', 'lines'], 'Give at least one line')])
  const errors: InventoryUserErrorModel[] = []
  const ttlSeconds = input.ttlSeconds ?? options.defaultTtlSeconds
  if (ttlSeconds <= 0) errors.push(kit.userError('INVALID_TTL', ['input', 'ttlSeconds'], 'ttlSeconds must be positive'))
  lines.forEach((line, i) => {
    if (line.quantity <= 0) errors.push(kit.userError('INVALID_QUANTITY', ['input', 'lines', i, 'quantity'], 'quantity must be positive'))
  })
  if (errors.length > 0) return failedReservation(errors)

  const items = new Set((await itemsBySkus(tx, [...new Set(lines.map((l) => l.sku))])).map((i) => i.sku))
  const named = [...new Set(lines.flatMap((l) => (l.locationId ? [l.locationId] : [])))]
  const locations = new Map((await locationsByIds(tx, named)).map((l) => [l.id, l]))
  const stocked = new Set(
    (await existingLevelKeys(tx, lines.flatMap((l) => (l.locationId ? [{ sku: l.sku, locationId: l.locationId }] : [])))).map((k) =>
      keyOf(k.sku, k.locationId),
    ),
  )
  const unplaced = lines.map((line, i) => ({ line, i })).filter(({ line }) => !line.locationId && items.has(line.sku))
  const chosen = unplaced.length > 0 ? await bestFulfillingLocations(tx, unplaced.map(({ line }) => line)) : new Map<number, string>()

  const placeLine = (line: InventoryReserveLineInput, i: number): Placed | InventoryUserErrorModel | 'short' => {
    const at = ['input', 'lines', i] as const
    if (!items.has(line.sku)) return kit.userError('UNKNOWN_SKU', [...at, 'sku'], `No inventory item has sku ${line.sku}`)
    if (!line.locationId) {
      const locationId = chosen.get(unplaced.findIndex((u) => u.i === i))
      return locationId ? { sku: line.sku, locationId, quantity: line.quantity, i } : 'short'
    }
    const location = locations.get(line.locationId)
    if (!location) return kit.userError('UNKNOWN_LOCATION', [...at, 'locationId'], `No location has id ${line.locationId}`)
    if (!location.active) return kit.userError('LOCATION_INACTIVE', [...at, 'locationId'], `${line.locationId} is not active`)
    if (!stocked.has(keyOf(line.sku, line.locationId))) {
      return kit.userError('ITEM_NOT_STOCKED_AT_LOCATION', [...at, 'locationId'], `${line.sku} is not stocked at ${line.locationId}`)
    }
    return { sku: line.sku, locationId: line.locationId, quantity: line.quantity, i }
  }
  const placed: Placed[] = []
  const short: number[] = []
  lines.forEach((line, i) => {
    const outcome = placeLine(line, i)
    if (outcome === 'short') short.push(i)
    else if ('code' in outcome) errors.push(outcome)
    else placed.push(outcome)
  })
  if (errors.length > 0) return failedReservation(errors)

  // run the conditional update even when a line is already known to be short: it finds the rest
  if (placed.length === 0) return failedReservation(short.map((i) => insufficient(lines[i]?.sku ?? '', i)))
  const applied = await applyLevelChanges(tx, {
    reason: 'RESERVATION',
    referenceDocumentUri: input.referenceDocumentUri,
    actor: options.actor,
    changes: placed.flatMap((p) => [
      { sku: p.sku, locationId: p.locationId, name: 'AVAILABLE' as const, delta: -p.quantity },
      { sku: p.sku, locationId: p.locationId, name: 'RESERVED' as const, delta: p.quantity },
    ]),
  })
  if (applied.kind === 'rejected') {
    const refused = new Set(applied.levels.map((l) => keyOf(l.sku, l.locationId)))
    short.push(...placed.filter((p) => refused.has(keyOf(p.sku, p.locationId))).map((p) => p.i))
  }
  if (short.length > 0) {
    return failedReservation(short.sort((a, b) => a - b).map((i) => insufficient(lines[i]?.sku ?? '', i)))
  }

  const reservations = placed.map((p) => ({ id: `res_${randomUUID()}`, sku: p.sku, locationId: p.locationId, quantity: p.quantity }))
  await insertReservations(tx, reservations, { ttlSeconds, referenceDocumentUri: input.referenceDocumentUri })
  return { reservationIds: reservations.map((r) => r.id), userErrors: [] }
}

const insufficient = (sku: string, i: number) =>
  kit.userError('INSUFFICIENT_AVAILABLE', ['input', 'lines', i, 'quantity'], `Not enough ${sku} available to reserve`)
