import { canReadCustomerData, type Viewer } from '../../platform/viewer.ts'
import type { Owned } from './models.ts'

/**
 * The row when the viewer may read it (its customer, or staff), otherwise null: someone else's
 * cart or order looks exactly like a missing one, so ids cannot be probed.
 */
export function visibleTo<T extends Owned>(viewer: Viewer, row: T | null): T | null {
  return row !== null && canReadCustomerData(viewer, row.customerId) ? row : null
}

/** A row a foreign key guarantees; its absence is a broken invariant, not a client error. */
export function present<T>(row: T | null, what: string): T {
  if (row === null) throw new Error(`${what} is missing`)
  return row
}
