import type { Queryable } from '../../../platform/db.ts'
import { policyProblems, type ReplenishmentPolicy } from '../forecast/replenishment.ts'
import type { ReplenishmentPolicySetInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { InventoryUserErrorModel, PolicyPayloadModel } from '../models.ts'
import { itemsBySkus } from '../store/itemStore.ts'
import { existingLevelKeys } from '../store/levelStore.ts'
import { locationsByIds } from '../store/locationStore.ts'
import { upsertPolicy } from '../store/policyStore.ts'

/** Lead time plus review period, at most: the forecast a decision reads covers that many days. */
export const MAX_POLICY_HORIZON_DAYS = 365

export const failedPolicy = (userErrors: InventoryUserErrorModel[]): PolicyPayloadModel => ({ level: null, userErrors })

type PolicyInput = Omit<ReplenishmentPolicySetInput, 'idempotencyKey'>

/** Every problem of the policy's values, one userError per field, each naming it. */
function policyErrors(input: PolicyInput, supplierConfigured: boolean): InventoryUserErrorModel[] {
  const policy: ReplenishmentPolicy = { ...input, mode: input.mode ?? 'SUGGEST' }
  // policyProblems starts each message with the field it is about
  const errors = policyProblems(policy).map((problem) => kit.userError('INVALID_POLICY', ['input', problem.split(' ')[0]!], problem))
  if (errors.length === 0 && input.leadTimeDays + input.reviewPeriodDays > MAX_POLICY_HORIZON_DAYS) {
    errors.push(kit.userError('INVALID_POLICY', ['input', 'reviewPeriodDays'], `leadTimeDays + reviewPeriodDays must be at most ${MAX_POLICY_HORIZON_DAYS}`))
  }
  if (policy.mode === 'AUTO' && !supplierConfigured) {
    errors.push(kit.userError('SUPPLIER_NOT_CONFIGURED', ['input', 'mode'], 'AUTO places orders with a supplier, and none is configured for this deployment'))
  }
  return errors
}

/** Sets a level's policy, replacing the one it had; the level must exist, and an AUTO policy a supplier to place with. */
export async function setReplenishmentPolicy(tx: Queryable, input: PolicyInput, supplierConfigured: boolean): Promise<PolicyPayloadModel> {
  const invalid = policyErrors(input, supplierConfigured)
  if (invalid.length > 0) return failedPolicy(invalid)
  const { sku, locationId } = input
  if ((await existingLevelKeys(tx, [{ sku, locationId }])).length === 0) {
    const [item] = await itemsBySkus(tx, [sku])
    if (!item) return failedPolicy([kit.userError('UNKNOWN_SKU', ['input', 'sku'], `No inventory item has sku ${sku}`)])
    const [location] = await locationsByIds(tx, [locationId])
    if (!location) return failedPolicy([kit.userError('UNKNOWN_LOCATION', ['input', 'locationId'], `No location has id ${locationId}`)])
    return failedPolicy([kit.userError('ITEM_NOT_STOCKED_AT_LOCATION', ['input', 'locationId'], `${sku} is not stocked at ${locationId}`)])
  }
  await upsertPolicy(tx, {
    sku, locationId, supplierId: input.supplierId, leadTimeDays: input.leadTimeDays, reviewPeriodDays: input.reviewPeriodDays,
    serviceLevel: input.serviceLevel, minimumOrderQuantity: input.minimumOrderQuantity, packSize: input.packSize, mode: input.mode ?? 'SUGGEST',
  })
  return { level: { sku, locationId }, userErrors: [] }
}
