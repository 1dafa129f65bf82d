import { stat, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey } from 'jose'

/**
 * Public keys for RS256/ES256 tokens, from AUTH_JWKS_URL. One resolver per URL for the life of the
 * process, so a key set is fetched (or read) once and shared by every request and socket.
 *
 * A resolver throws jose's `JWKSNoMatchingKey` when no key has the token's `kid` (an unknown
 * key), `JWKSMultipleMatchingKeys` when several do (a token without `kid`), and `JwksUnavailableError` when the key set itself cannot be had (unreachable, timed out,
 * not a JWKS): both end as UNAUTHENTICATED at the caller, never as a 500.
 */
export const JWKS_TIMING = Object.freeze({
  /** A fetched key set is used this long before it is fetched again. */
  cacheMaxAgeMs: 10 * 60_000,
  /**
   * An unknown `kid` refetches the set (a rotation), but not sooner than this after the last
   * fetch: otherwise tokens with made-up `kid`s would make us hammer the identity provider.
   */
  cooldownMs: 30_000,
  /** A JWKS fetch sits on the request path; give up before the request's own deadline. */
  fetchTimeoutMs: 3_000,
  /** How often a `file://` key set is checked for changes (mtime, size, inode). */
  fileCheckIntervalMs: 1_000,
})

/** The key set could not be loaded; `cause` says why (for logs, not for clients). */
export class JwksUnavailableError extends Error {
  constructor(cause: unknown) {
    super('JWKS is unavailable', { cause })
    this.name = 'JwksUnavailableError'
  }
}

const resolvers = new Map<string, JWTVerifyGetKey>()

/** The key resolver for a `file://`, `https://` or `http://` JWKS URL (created once per URL). */
export function jwksKeys(url: string): JWTVerifyGetKey {
  let resolver = resolvers.get(url)
  if (!resolver) {
    resolver = url.startsWith('file:') ? fileJwks(fileURLToPath(url)) : remoteJwks(new URL(url))
    resolvers.set(url, resolver)
  }
  return resolver
}

function remoteJwks(url: URL): JWTVerifyGetKey {
  // jose caches the set, refetches it on an unknown kid after the cooldown, and shares one
  // in-flight fetch between concurrent requests
  const keys = createRemoteJWKSet(url, {
    cacheMaxAge: JWKS_TIMING.cacheMaxAgeMs,
    cooldownDuration: JWKS_TIMING.cooldownMs,
    timeoutDuration: JWKS_TIMING.fetchTimeoutMs,
  })
  return async (header, token) => {
    try {
      return await keys(header, token)
    } catch (error) {
      throw isKeySelectionError(error) ? error : new JwksUnavailableError(error)
    }
  }
}

/**
 * A key set on disk, re-read when the file changes so that a rotation written there takes effect
 * without a restart. A file that cannot be read or parsed refuses every token that needs it until
 * it changes again; write it atomically (write a temporary file, then rename) so that a half
 * written file is never seen.
 */
function fileJwks(path: string): JWTVerifyGetKey {
  let checkedAt = -Infinity
  let version: string | null = null
  let keys: ReturnType<typeof createLocalJWKSet> | null = null
  let failure: unknown = null
  let pending: Promise<void> | null = null

  const refresh = async () => {
    checkedAt = Date.now()
    try {
      const stats = await stat(path)
      const current = `${stats.ino}:${stats.size}:${stats.mtimeMs}`
      if (current === version) return
      version = current
      keys = null
      keys = createLocalJWKSet(JSON.parse(await readFile(path, 'utf8')))
      failure = null
    } catch (error) {
      // forget the version so that the next check reads the file again (a permission fix changes
      // no mtime)
      version = null
      keys = null
      failure = error
    }
  }

  return async (header, token) => {
    if (!pending && Date.now() - checkedAt >= JWKS_TIMING.fileCheckIntervalMs) {
      pending = refresh().finally(() => (pending = null))
    }
    if (pending) await pending
    if (!keys) throw new JwksUnavailableError(failure)
    try {
      return await keys(header, token)
    } catch (error) {
      // a member that is not a valid public key fails here, at import, not when the file is parsed
      throw isKeySelectionError(error) ? error : new JwksUnavailableError(error)
    }
  }
}

/** Errors about which key the token names, as opposed to errors about the key set itself. */
function isKeySelectionError(error: unknown): boolean {
  return error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys
}
