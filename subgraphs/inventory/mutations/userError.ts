import type { InventoryErrorCode } from '../generated/resolvers.ts'
import type { InventoryUserErrorModel } from '../models.ts'

/** A business outcome a mutation reports as data; `field` is the path into its arguments. */
export const userError = (code: InventoryErrorCode, field: readonly (string | number)[], message: string): InventoryUserErrorModel => ({
  code,
  field: field.map(String),
  message,
})

/** The same error reached twice (both sides of a move on one unknown sku, ...) is reported once. */
export function uniqueErrors(errors: readonly InventoryUserErrorModel[]): InventoryUserErrorModel[] {
  const seen = new Set<string>()
  return errors.filter((error) => {
    const key = `${error.code}\u0000${(error.field ?? []).join('\u0000')}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
