import { createHmac, timingSafeEqual } from 'node:crypto'
import { forbidden, unauthenticated } from './errors.ts'

export const ROLES = ['customer', 'partner', 'staff'] as const
export type Role = (typeof ROLES)[number]

/** Who is asking. Anonymous viewers have no subject and no roles. */
export interface Viewer {
  readonly sub: string | null
  readonly roles: readonly Role[]
  readonly scopes: readonly string[]
  /** Partners may be limited to some locations (claim `locations`); null means unrestricted. */
  readonly locationIds: readonly string[] | null
}

export const ANONYMOUS: Viewer = Object.freeze({ sub: null, roles: [], scopes: [], locationIds: null })

export const hasRole = (viewer: Viewer, role: Role): boolean => viewer.roles.includes(role)
export const isStaff = (viewer: Viewer): boolean => hasRole(viewer, 'staff')

/** True when the viewer may read data owned by `customerId` (its owner, or staff). */
export const canReadCustomerData = (viewer: Viewer, customerId: string): boolean =>
  isStaff(viewer) || (viewer.sub !== null && viewer.sub === customerId)

export function requireStaff(viewer: Viewer): void {
  if (viewer.sub === null) throw unauthenticated()
  if (!isStaff(viewer)) throw forbidden('This operation requires the staff role')
}

export function requireSubject(viewer: Viewer): string {
  if (viewer.sub === null) throw unauthenticated()
  return viewer.sub
}

/** A stable key for per-viewer state (idempotency keys): the subject, or 'anonymous'. */
export const viewerScope = (viewer: Viewer): string => viewer.sub ?? 'anonymous'

// ── The forwarded viewer ─────────────────────────────────────────────────────────────────────
// The gateway forwards the viewer it verified to subgraphs in one header, HMAC-signed with a
// secret only the gateway and the subgraphs hold. A subgraph refuses any request whose header is
// missing, forged or stale, so calling a subgraph directly bypasses nothing.

export const VIEWER_HEADER = 'x-commerce-viewer'
/** How long a signed viewer header stays valid: it is made per request, so replays die fast. */
export const VIEWER_HEADER_MAX_AGE_MS = 5 * 60_000

export function signViewer(viewer: Viewer, secret: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ v: viewer, iat: now })).toString('base64url')
  return `${payload}.${hmac(payload, secret)}`
}

/** Returns the viewer, or null when the header is absent, forged, malformed or stale. */
export function verifyViewer(header: string | undefined, secret: string, now = Date.now()): Viewer | null {
  if (!header) return null
  const dot = header.indexOf('.')
  if (dot <= 0) return null
  const payload = header.slice(0, dot)
  const given = Buffer.from(header.slice(dot + 1), 'base64url')
  const expected = Buffer.from(hmac(payload, secret), 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  try {
    const { v, iat } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { v: Viewer; iat: number }
    if (typeof iat !== 'number' || Math.abs(now - iat) > VIEWER_HEADER_MAX_AGE_MS) return null
    return normalizeViewer(v)
  } catch {
    return null
  }
}

function hmac(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url')
}

function normalizeViewer(raw: Partial<Viewer> | null | undefined): Viewer | null {
  if (!raw || typeof raw !== 'object') return null
  const sub = typeof raw.sub === 'string' && raw.sub !== '' ? raw.sub : null
  const roles = Array.isArray(raw.roles) ? raw.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)) : []
  const scopes = Array.isArray(raw.scopes) ? raw.scopes.filter((s): s is string => typeof s === 'string') : []
  const locationIds = Array.isArray(raw.locationIds) ? raw.locationIds.filter((s): s is string => typeof s === 'string') : null
  return Object.freeze({ sub, roles: sub ? roles : [], scopes, locationIds })
}
