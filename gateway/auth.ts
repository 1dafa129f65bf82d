import { GraphQLError } from 'graphql'
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import type { Config } from '../platform/config.ts'
import { ANONYMOUS, ROLES, type Role, type Viewer } from '../platform/viewer.ts'
import { jwksKeys, JwksUnavailableError } from './jwks.ts'
import { graphqlError } from '../platform/errors.ts'

/**
 * Turns `Authorization: Bearer <JWT>` into a viewer. No header means the anonymous viewer; a
 * header that is not a valid, unexpired token is UNAUTHENTICATED — never silently anonymous.
 *
 * The token's `alg` picks the key, and each key is used for its one algorithm only: HS256 with
 * AUTH_JWT_SECRET, RS256 and ES256 with the keys of AUTH_JWKS_URL. So an RS256 token is never
 * checked with the HMAC secret, and an HS256 token "signed" with a public key (the classic key
 * confusion, https://datatracker.ietf.org/doc/html/rfc8725#section-2.1) is checked with the secret
 * and fails. Everything else (`none`, HS512, PS256, ...) is refused.
 *
 * Claims: `exp` (required; `exp - iat` at most AUTH_MAX_TOKEN_LIFETIME), `nbf` and `iat` (not in
 * the future beyond AUTH_CLOCK_SKEW_SECONDS), `iss` and `aud` (when configured), `sub` (required),
 * `roles` (array of customer | partner | staff), `scope` (space-separated, OAuth style),
 * `locations` (partner's allowed location ids).
 */
export type AuthConfig = Pick<Config, 'jwtSecret' | 'jwtIssuer' | 'jwtAudience' | 'jwksUrl' | 'maxTokenLifetimeSeconds' | 'clockSkewSeconds'>

export async function viewerFromAuthorization(header: string | undefined, config: AuthConfig): Promise<Viewer> {
  return (await credentialsFromAuthorization(header, config)).viewer
}

/** The viewer and when its token expires (ms since the epoch; null for anonymous). */
export async function credentialsFromAuthorization(header: string | undefined, config: AuthConfig): Promise<{ viewer: Viewer; expiresAt: number | null }> {
  if (header === undefined || header.trim() === '') return { viewer: ANONYMOUS, expiresAt: null }
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i.exec(header)
  if (!match?.[1]) throw authError('Authorization header must be "Bearer <JWT>"')
  const token = match[1]
  const verified = verifiedTokens(config)
  const known = verified.get(token)
  if (known && known.until > Date.now() && (await stillSignedBy(known, token, config))) return known.credentials
  if (known) verified.delete(token)
  let alg: Algorithm | undefined
  try {
    const chosen = keyFor(token, config)
    alg = chosen.alg
    // the key the signature was checked with: a remembered token is taken again only while the set still has it
    let usedKey: unknown = null
    const key = typeof chosen.key === 'function' ? withKeyNoted(chosen.key, (k) => (usedKey = k)) : await chosen.key
    const { payload } = await jwtVerify(token, key, {
      algorithms: [alg],
      clockTolerance: config.clockSkewSeconds,
      requiredClaims: ['exp'],
      ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
      ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
    })
    checkTimes(payload, config)
    const credentials = { viewer: viewerOf(payload), expiresAt: (payload.exp as number) * 1000 }
    if (alg === 'HS256' || usedKey !== null) {
      remember(verified, token, { credentials, until: Math.min(Date.now() + VERIFIED_FOR_MS, credentials.expiresAt), jwksKey: alg === 'HS256' ? null : usedKey })
    }
    return credentials
  } catch (error) {
    throw error instanceof GraphQLError ? error : refusal(error, alg)
  }
}

/**
 * Tokens verified in the last minute, by their exact text, with what they said: a client sends
 * the same token with every request, and verifying it again costs more than the rest of the
 * gateway's work before execution (150-300 µs here for HS256, more for RS256 and ES256). An entry
 * lasts at most VERIFIED_FOR_MS and never past the token's `exp` (after it the token is verified
 * again, and refused); only tokens that passed every check are kept. An HS256 token was checked
 * with AUTH_JWT_SECRET, which changes with a restart alone. An RS256 or ES256 token is taken again
 * only while AUTH_JWKS_URL's set still resolves its header to the very key object that verified
 * it (jwks.ts keeps one imported key per member of a set): a key removed from the set, or a set
 * fetched or read again, sends the token through full verification, so a rotation stops its
 * tokens at the set's next check as before. At most VERIFIED_MAX entries: the oldest goes first.
 */
const VERIFIED_FOR_MS = 60_000
const VERIFIED_MAX = 10_000
type Credentials = { viewer: Viewer; expiresAt: number | null }
interface Verified {
  readonly credentials: Credentials
  readonly until: number
  /** The JWKS key that verified it; null for HS256. */
  readonly jwksKey: unknown
}
const verifiedByConfig = new WeakMap<AuthConfig, Map<string, Verified>>()

function verifiedTokens(config: AuthConfig): Map<string, Verified> {
  let verified = verifiedByConfig.get(config)
  if (!verified) verifiedByConfig.set(config, (verified = new Map()))
  return verified
}

function remember(verified: Map<string, Verified>, token: string, entry: Verified): void {
  if (entry.until <= Date.now()) return
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string)
  verified.set(token, entry)
}

/** Whether a remembered token's key is still the one its set gives for it (always, for HS256). */
async function stillSignedBy(known: Verified, token: string, config: AuthConfig): Promise<boolean> {
  if (known.jwksKey === null) return true
  if (config.jwksUrl === null) return false
  try {
    const header = decodeProtectedHeader(token)
    if (typeof header.alg !== 'string') return false
    const [protectedPart = '', payload = '', signature = ''] = token.split('.')
    return (await jwksKeys(config.jwksUrl)({ ...header, alg: header.alg }, { protected: protectedPart, payload, signature })) === known.jwksKey
  } catch {
    // no such key any more, or the set cannot be had: verify in full (and refuse with its reason)
    return false
  }
}

/** `resolve`, telling `note` which key it gave. */
function withKeyNoted(resolve: JWTVerifyGetKey, note: (key: unknown) => void): JWTVerifyGetKey {
  return async (header, token) => {
    const key = await resolve(header, token)
    note(key)
    return key
  }
}

/** AUTH_JWT_SECRET imported once as an HMAC key (jose imports raw bytes again on every call). */
const hmacKeys = new WeakMap<AuthConfig, { secret: string; key: Promise<CryptoKey> }>()
function hmacKeyOf(config: AuthConfig, secret: string): Promise<CryptoKey> {
  const known = hmacKeys.get(config)
  if (known?.secret === secret) return known.key
  const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
  hmacKeys.set(config, { secret, key })
  return key
}

type Algorithm = 'HS256' | 'RS256' | 'ES256'

function acceptedAlgorithms(config: AuthConfig): Algorithm[] {
  return [...(config.jwtSecret !== null ? ['HS256' as const] : []), ...(config.jwksUrl !== null ? ['RS256' as const, 'ES256' as const] : [])]
}

/**
 * The key for the token's own `alg`, chosen before anything is verified. jwtVerify is given that
 * key and that one algorithm, so no other pairing of algorithm and key can happen.
 */
function keyFor(token: string, config: AuthConfig): { alg: Algorithm; key: CryptoKey | JWTVerifyGetKey | Promise<CryptoKey> } {
  let alg: unknown
  try {
    alg = decodeProtectedHeader(token).alg
  } catch {
    throw authError('Token is not valid')
  }
  if (alg === 'HS256' && config.jwtSecret !== null) return { alg, key: hmacKeyOf(config, config.jwtSecret) }
  if ((alg === 'RS256' || alg === 'ES256') && config.jwksUrl !== null) return { alg, key: jwksKeys(config.jwksUrl) }
  // the alg is the caller's text: name what is accepted, never echo what was sent
  throw authError(`Token is not valid: unsupported algorithm (accepted: ${acceptedAlgorithms(config).join(', ') || 'no key is configured'})`)
}

/** What jose leaves to us: `iat` in the future, and the lifetime the token claims. */
function checkTimes(payload: JWTPayload, config: AuthConfig): void {
  const now = Math.floor(Date.now() / 1000)
  const exp = payload.exp as number
  if (payload.iat !== undefined && payload.iat > now + config.clockSkewSeconds) throw authError('Token is issued in the future (iat)')
  // without `iat`, `exp - now` is what is left of it; the issuer's clock may run ahead by the skew
  const lifetime = payload.iat !== undefined ? exp - payload.iat : exp - now - config.clockSkewSeconds
  if (lifetime > config.maxTokenLifetimeSeconds) throw authError(`Token lifetime is too long (at most ${config.maxTokenLifetimeSeconds} seconds)`)
}

function viewerOf(payload: JWTPayload): Viewer {
  if (typeof payload.sub !== 'string' || payload.sub === '') throw authError('Token has no subject')
  const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is Role => (ROLES as readonly string[]).includes(r as string)) : []
  const scope = payload['scope']
  const scopes = typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : Array.isArray(scope) ? scope.filter((s): s is string => typeof s === 'string') : []
  const locations = payload['locations']
  const locationIds = Array.isArray(locations) ? locations.filter((l): l is string => typeof l === 'string') : null
  return Object.freeze({ sub: payload.sub, roles, scopes, locationIds })
}

/**
 * jose's and the key set's failures, each named for the client without the token's content. A bad
 * signature names the setting the gateway checks it with (never its value): the usual cause is a
 * token signed for another environment.
 */
function refusal(error: unknown, alg: Algorithm | undefined): GraphQLError {
  if (error instanceof joseErrors.JWTExpired) return authError('Token has expired')
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'exp' && error.reason === 'missing') return authError('Token has no expiry (exp)')
    if (error.claim === 'nbf' && error.reason === 'check_failed') return authError('Token is not yet valid (nbf)')
    return authError(`Token claim '${error.claim}' is not valid`)
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return authError(
      alg === 'HS256'
        ? "Token signature is not valid: was it signed with this gateway's AUTH_JWT_SECRET?"
        : "Token signature is not valid: was it signed by a key of this gateway's AUTH_JWKS_URL?",
    )
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return authError('Token signing key is unknown')
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return authError('Token signing key is ambiguous (no kid)')
  // the cause stays on the error for the server's logs; the client learns only that keys are missing
  if (error instanceof JwksUnavailableError) return authError('Token signing keys are unavailable', error)
  return authError('Token is not valid')
}

function authError(message: string, originalError?: Error): GraphQLError {
  return graphqlError('UNAUTHENTICATED', message, { http: { status: 401 } }, originalError)
}

export interface TokenClaims {
  readonly sub: string
  readonly roles: readonly Role[]
  readonly scopes?: readonly string[]
  readonly locationIds?: readonly string[]
  /** seconds; default one hour */
  readonly expiresIn?: number
}

/**
 * Signs an HS256 token the gateway accepts (development tokens, tests, benchmarks). Throws when
 * there is no secret (only a JWKS configured): such a gateway accepts no HS256 token at all.
 */
export async function signToken(claims: TokenClaims, config: Pick<Config, 'jwtSecret' | 'jwtIssuer' | 'jwtAudience'>): Promise<string> {
  if (config.jwtSecret === null) throw new Error('signToken needs AUTH_JWT_SECRET: with only AUTH_JWKS_URL set, HS256 tokens are not accepted')
  const jwt = new SignJWT({
    roles: [...claims.roles],
    ...(claims.scopes?.length ? { scope: claims.scopes.join(' ') } : {}),
    ...(claims.locationIds ? { locations: [...claims.locationIds] } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expiresIn ?? 3600))
  if (config.jwtIssuer) jwt.setIssuer(config.jwtIssuer)
  if (config.jwtAudience) jwt.setAudience(config.jwtAudience)
  return jwt.sign(new TextEncoder().encode(config.jwtSecret))
}
