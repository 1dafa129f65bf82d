import type { Queryable } from '../../../platform/db.ts'
import { kit } from '../kit.ts'
import type { InventoryUserErrorModel, Quantities } from '../models.ts'
import { itemsBySkus } from '../store/itemStore.ts'
import type { LevelChange } from '../store/levelChangeStore.ts'
import { lockLevels } from '../store/levelStore.ts'
import { locationsByIds } from '../store/locationStore.ts'

/** A change a client asked for, with where each of its parts sits in the arguments. */
export interface RequestedChange extends LevelChange {
  /** undefined: not sent (refused); null: the client opted out of the check; a number: compare-and-set. */
  readonly changeFromQuantity: number | null | undefined
  readonly fields: {
    readonly sku: readonly (string | number)[]
    readonly locationId: readonly (string | number)[]
    readonly changeFromQuantity: readonly (string | number)[]
    readonly delta: readonly (string | number)[]
  }
}

const keyOf = (sku: string, locationId: string) => `${sku}\u0000${locationId}`

/**
 * Checks each change against its level, locked (`for update`) until the transaction ends, so the
 * quantities read here are the ones the update will see. Changes apply in order: a second change
 * to the same state is compared with the quantity the first one leaves.
 */
export async function checkChanges(tx: Queryable, changes: readonly RequestedChange[]): Promise<InventoryUserErrorModel[]> {
  if (changes.length === 0) return []
  const skus = [...new Set(changes.map((c) => c.sku))]
  const items = new Set((await itemsBySkus(tx, skus)).map((i) => i.sku))
  const locations = new Set((await locationsByIds(tx, [...new Set(changes.map((c) => c.locationId))])).map((l) => l.id))
  const known = changes.filter((c) => items.has(c.sku) && locations.has(c.locationId))
  const levels = await lockLevels(tx, known.map(({ sku, locationId }) => ({ sku, locationId })))
  const running = new Map<string, Quantities>(levels.map((level) => [keyOf(level.sku, level.locationId), { ...level.quantities }]))

  const errors: InventoryUserErrorModel[] = []
  for (const change of changes) {
    const { sku, locationId, name, delta, changeFromQuantity, fields } = change
    if (changeFromQuantity === undefined) {
      errors.push(kit.userError('CHANGE_FROM_QUANTITY_MISSING', fields.changeFromQuantity, 'Send the quantity you last read as changeFromQuantity, or null to skip the check'))
      continue
    }
    if (!items.has(sku)) {
      errors.push(kit.userError('UNKNOWN_SKU', fields.sku, `No inventory item has sku ${sku}`))
      continue
    }
    if (!locations.has(locationId)) {
      errors.push(kit.userError('UNKNOWN_LOCATION', fields.locationId, `No location has id ${locationId}`))
      continue
    }
    const quantities = running.get(keyOf(sku, locationId))
    if (!quantities) {
      errors.push(kit.userError('ITEM_NOT_STOCKED_AT_LOCATION', fields.locationId, `${sku} is not stocked at ${locationId}`))
      continue
    }
    if (changeFromQuantity !== null && changeFromQuantity !== quantities[name]) {
      errors.push(
        kit.userError('CHANGE_FROM_QUANTITY_STALE', fields.changeFromQuantity, `${name} of ${sku} at ${locationId} is ${quantities[name]}, not ${changeFromQuantity}`),
      )
      continue
    }
    if (quantities[name] + delta < 0) {
      errors.push(kit.userError('INSUFFICIENT_AVAILABLE', fields.delta, `${name} of ${sku} at ${locationId} is ${quantities[name]}: cannot remove ${-delta}`))
      continue
    }
    quantities[name] += delta
  }
  return errors
}
