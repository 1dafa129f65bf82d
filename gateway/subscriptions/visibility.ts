import { hasRole, isStaff, type Viewer } from '../../platform/viewer.ts'

/** The subject forwarded for a view shared by several partners or staff (no customer has it). */
export const SHARED_SUBJECT = 'gateway:shared-subscription'

/**
 * What decides what a subscriber may see upstream: roles, scopes and locations — and the subject
 * only for customers (whose data is theirs). Subscribers with equal visibility share upstream
 * subscriptions and entity fetches; the forwarded viewer of a shared view names no one.
 */
export function visibilityOf(viewer: Viewer): Viewer {
  const ownsData = hasRole(viewer, 'customer') && !isStaff(viewer) && !hasRole(viewer, 'partner')
  return {
    sub: ownsData || viewer.sub === null ? viewer.sub : SHARED_SUBJECT,
    roles: [...viewer.roles].sort(),
    scopes: [...viewer.scopes].sort(),
    locationIds: viewer.locationIds === null ? null : [...viewer.locationIds].sort(),
  }
}
