import { canReadCustomerData, isStaff, type Viewer } from '../../platform/viewer.ts'

/**
 * What a viewer may see of a customer's record: its owner and staff see it; anyone else gets
 * null, exactly as for a record that does not exist, so that no answer hints at another
 * customer's data.
 */
export function visibleTo<R extends { readonly customerId: string }>(viewer: Viewer, row: R | null): R | null {
  return row && canReadCustomerData(viewer, row.customerId) ? row : null
}

/** Ledger and settlements are internal books: staff only, null for everyone else. */
export function visibleToStaff<R>(viewer: Viewer, row: R | null): R | null {
  return isStaff(viewer) ? row : null
}
