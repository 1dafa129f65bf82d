import { GraphQLError } from 'graphql'
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import type { Config } from '../platform/config.ts'
import { ANONYMOUS, ROLES, type Role, type Viewer } from '../platform/viewer.ts'

/**
 * Turns `Authorization: Bearer <JWT>` into a viewer. HS256 only (an `alg: none` or RS256 token is
 * refused, so the algorithm cannot be downgraded). No header means the anonymous viewer; a
 * header that is not a valid, unexpired token is UNAUTHENTICATED — never silently anonymous.
 *
 * Claims: `sub` (required), `roles` (array of customer | partner | staff), `scope`
 * (space-separated, OAuth style), `locations` (partner's allowed location ids).
 */
export type AuthConfig = Pick<Config, 'jwtSecret' | 'jwtIssuer' | 'jwtAudience'>

export async function viewerFromAuthorization(header: string | undefined, config: AuthConfig): Promise<Viewer> {
  return (await credentialsFromAuthorization(header, config)).viewer
}

/** The viewer and when its token expires (ms since the epoch; null for anonymous or no `exp`). */
export async function credentialsFromAuthorization(header: string | undefined, config: AuthConfig): Promise<{ viewer: Viewer; expiresAt: number | null }> {
  if (header === undefined || header.trim() === '') return { viewer: ANONYMOUS, expiresAt: null }
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i.exec(header)
  if (!match?.[1]) throw authError('Authorization header must be "Bearer <JWT>"')
  try {
    const { payload } = await jwtVerify(match[1], new TextEncoder().encode(config.jwtSecret), {
      algorithms: ['HS256'],
      ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
      ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
    })
    if (typeof payload.sub !== 'string' || payload.sub === '') throw authError('Token has no subject')
    const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is Role => (ROLES as readonly string[]).includes(r as string)) : []
    const scope = payload['scope']
    const scopes = typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : Array.isArray(scope) ? scope.filter((s): s is string => typeof s === 'string') : []
    const locations = payload['locations']
    const locationIds = Array.isArray(locations) ? locations.filter((l): l is string => typeof l === 'string') : null
    return {
      viewer: Object.freeze({ sub: payload.sub, roles, scopes, locationIds }),
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
    }
  } catch (error) {
    if (error instanceof GraphQLError) throw error
    if (error instanceof joseErrors.JWTExpired) throw authError('Token has expired')
    if (error instanceof joseErrors.JWTClaimValidationFailed) throw authError(`Token claim '${error.claim}' is not valid`)
    throw authError('Token is not valid')
  }
}

function authError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } })
}

export interface TokenClaims {
  readonly sub: string
  readonly roles: readonly Role[]
  readonly scopes?: readonly string[]
  readonly locationIds?: readonly string[]
  /** seconds; default one hour */
  readonly expiresIn?: number
}

/** Signs a token the gateway accepts (development tokens, tests, benchmarks). */
export async function signToken(claims: TokenClaims, config: AuthConfig): Promise<string> {
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
