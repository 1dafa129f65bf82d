import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
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

/**
 * A customer's record as a viewer may see it: its owner and staff see it; anyone else gets null,
 * exactly as for a record that does not exist, so ids cannot be probed. Every subgraph's
 * ownership rule.
 */
export function visibleTo<R extends { readonly customerId: string }>(viewer: Viewer, row: R | null): R | null {
  return row !== null && canReadCustomerData(viewer, row.customerId) ? row : null
}

/** An internal record (ledger, settlements): staff only, null for everyone else. */
export function visibleToStaff<R>(viewer: Viewer, row: R | null): R | null {
  return isStaff(viewer) ? row : null
}

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

/** What kind of viewer this is, for logs and traces: its strongest role, or anonymous. */
export const viewerKind = (viewer: Viewer): Role | 'anonymous' =>
  isStaff(viewer) ? 'staff' : hasRole(viewer, 'partner') ? 'partner' : hasRole(viewer, 'customer') ? 'customer' : 'anonymous'

// ── The forwarded viewer ─────────────────────────────────────────────────────────────────────
// The gateway forwards the viewer it verified to subgraphs in one header, HMAC-signed with a
// secret only the gateway and the subgraphs hold. The signature also covers a SHA-256 digest of
// the exact request body and lives one minute, so a captured header is worth nothing with any
// other body and nothing at all a minute later. A subgraph refuses any request whose header is
// missing, forged, stale or made for another body, so calling a subgraph directly bypasses
// nothing.

export const VIEWER_HEADER = 'x-commerce-viewer'
/** How long a signed viewer header stays valid: it is made per request, so replays die fast. */
export const VIEWER_HEADER_MAX_AGE_MS = 60_000
/**
 * How far in the future a header's `iat` may be: the signer's clock may run ahead of the
 * verifier's. Expiry gets no allowance, so a header is never accepted more than
 * VIEWER_HEADER_MAX_AGE_MS after it was signed by the verifier's own clock.
 */
export const VIEWER_HEADER_CLOCK_SKEW_MS = 5_000
/**
 * What a graphql-ws `connection_init` signs in place of a body (it has none). Not valid JSON, so
 * a header captured from a socket cannot pass for an HTTP request's: the subgraph's JSON parser
 * refuses this body before anything runs.
 */
export const CONNECTION_INIT_BODY = 'graphql-ws:connection_init'

/** The bytes the signature covers: what is sent on the wire (a string is sent as UTF-8). */
export type SignedBody = string | Uint8Array

interface SignedPayload {
  readonly v: Viewer
  readonly iat: number
  readonly exp: number
  /** base64url SHA-256 of the request body. */
  readonly bd: string
}

export function signViewer(viewer: Viewer, secret: string, body: SignedBody, now = Date.now()): string {
  const signed: SignedPayload = { v: viewer, iat: now, exp: now + VIEWER_HEADER_MAX_AGE_MS, bd: bodyDigest(body) }
  const payload = Buffer.from(JSON.stringify(signed)).toString('base64url')
  return `${payload}.${hmac(payload, secret)}`
}

export interface VerifyViewerOptions {
  /** The current secret first, then the previous one during a rotation; empty entries are skipped. */
  readonly secrets: readonly (string | null | undefined)[]
  /** The body exactly as received, or CONNECTION_INIT_BODY for a graphql-ws connection. */
  readonly body: SignedBody
  readonly now?: number
}

/**
 * Returns the viewer, or null when the header is absent, malformed, forged (no secret signed
 * it), stale, not yet valid, or made for another body. Never throws on what a caller sent.
 */
export function verifyViewer(header: string | undefined, options: VerifyViewerOptions): Viewer | null {
  const opened = openViewerHeader(header, options)
  return opened && signedFor(opened, options.body) ? opened.viewer : null
}

/** A header whose signature and freshness hold; the body it was made for is still to be checked. */
export interface OpenedViewerHeader {
  readonly viewer: Viewer
  /** base64url SHA-256 of the body it was signed for. */
  readonly bodyDigest: string
}

/**
 * The first half of verifyViewer, which needs no body: a subgraph refuses a forged or stale header
 * before it reads (or parses) a byte of the body.
 */
export function openViewerHeader(header: string | undefined, options: Omit<VerifyViewerOptions, 'body'>): OpenedViewerHeader | null {
  if (!header) return null
  const dot = header.indexOf('.')
  if (dot <= 0 || dot !== header.lastIndexOf('.')) return null
  const payload = header.slice(0, dot)
  const given = Buffer.from(header.slice(dot + 1), 'base64url')
  // every secret is tried, so the time taken does not say which one matched
  let signed = false
  for (const secret of options.secrets) {
    if (!secret) continue
    const expected = Buffer.from(hmac(payload, secret), 'base64url')
    if (given.length === expected.length && timingSafeEqual(given, expected)) signed = true
  }
  if (!signed) return null
  let claims: Partial<SignedPayload>
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<SignedPayload>
  } catch {
    return null
  }
  if (!claims || typeof claims !== 'object') return null
  const { iat, exp, bd } = claims
  if (typeof iat !== 'number' || typeof exp !== 'number' || typeof bd !== 'string') return null
  const now = options.now ?? Date.now()
  if (iat > now + VIEWER_HEADER_CLOCK_SKEW_MS || now > exp || exp - iat > VIEWER_HEADER_MAX_AGE_MS) return null
  const viewer = normalizeViewer(claims.v)
  return viewer ? { viewer, bodyDigest: bd } : null
}

/** Whether an opened header was signed for exactly these bytes. */
export function signedFor(opened: OpenedViewerHeader, body: SignedBody): boolean {
  const expected = Buffer.from(bodyDigest(body), 'base64url')
  const given = Buffer.from(opened.bodyDigest, 'base64url')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** base64url SHA-256 of the body's bytes. */
export function bodyDigest(body: SignedBody): string {
  return createHash('sha256').update(body).digest('base64url')
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
