import assert from 'node:assert/strict'
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, it, type TestContext } from 'node:test'
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type GenerateKeyPairResult, type JWK, type JWTPayload } from 'jose'
import { GraphQLError } from 'graphql'
import { loadConfig } from '../platform/config.ts'
import { testConfig } from '../platform/testing.ts'
import { credentialsFromAuthorization, signToken, viewerFromAuthorization, type AuthConfig } from './auth.ts'
import { JWKS_TIMING } from './jwks.ts'

const secret = new TextEncoder().encode(testConfig.jwtSecret ?? '')
const now = () => Math.floor(Date.now() / 1000)
const skew = testConfig.clockSkewSeconds
const maxLifetime = testConfig.maxTokenLifetimeSeconds
/** A bad signature names the setting the gateway checks it with, never the value. */
const BAD_SECRET = /^Token signature is not valid: was it signed with this gateway's AUTH_JWT_SECRET\?$/
const BAD_JWKS_SIGNATURE = /^Token signature is not valid: was it signed by a key of this gateway's AUTH_JWKS_URL\?$/

/** Asserts the exact refusal: a GraphQLError, UNAUTHENTICATED, 401, a message naming the problem and not echoing the token. */
const rejects = async (header: string, message: RegExp, config: AuthConfig = testConfig) => {
  await assert.rejects(viewerFromAuthorization(header, config), (error: unknown) => {
    assert.ok(error instanceof GraphQLError)
    assert.equal(error.extensions['code'], 'UNAUTHENTICATED')
    assert.deepEqual(error.extensions['http'], { status: 401 })
    assert.match(error.message, message)
    for (const part of header.replace(/^Bearer\s+/i, '').split('.')) if (part.length > 8) assert.ok(!error.message.includes(part), 'the message echoes the token')
    return true
  })
}
const accepts = async (token: string, config: AuthConfig = testConfig) => (await viewerFromAuthorization(`Bearer ${token}`, config)).sub

/** An HS256 token with exactly the given claims (no defaults: the test says which times it has). */
const hs256 = (claims: JWTPayload, key: Uint8Array = secret, alg = 'HS256') => new SignJWT({ sub: 's', ...claims }).setProtectedHeader({ alg }).sign(key)
const signed = (key: CryptoKey, alg: string, kid: string, claims: JWTPayload = {}) =>
  new SignJWT({ sub: `by_${kid}`, iat: now(), exp: now() + 600, ...claims }).setProtectedHeader({ alg, kid }).sign(key)
const b64json = (value: unknown) => base64url.encode(JSON.stringify(value))

describe('viewerFromAuthorization', () => {
  it('treats a request without Authorization as the anonymous viewer', async () => {
    const viewer = await viewerFromAuthorization(undefined, testConfig)
    assert.deepEqual(viewer, { sub: null, roles: [], scopes: [], locationIds: null })
  })

  it('reads subject, roles, scopes and partner locations from a valid token', async () => {
    const token = await signToken({ sub: 'p_9', roles: ['partner'], scopes: ['stock:read', 'orders:read'], locationIds: ['loc_wh_east'] }, testConfig)
    const viewer = await viewerFromAuthorization(`Bearer ${token}`, testConfig)
    assert.deepEqual(viewer, { sub: 'p_9', roles: ['partner'], scopes: ['stock:read', 'orders:read'], locationIds: ['loc_wh_east'] })
  })

  it('drops roles it does not know', async () => {
    const token = await new SignJWT({ roles: ['staff', 'root'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('s').setExpirationTime('1h').sign(secret)
    assert.deepEqual((await viewerFromAuthorization(`Bearer ${token}`, testConfig)).roles, ['staff'])
  })

  it('refuses an expired token', async () => {
    // expired for longer than the clock skew the gateway tolerates
    const token = await signToken({ sub: 'c_1', roles: ['customer'], expiresIn: -(skew + 10) }, testConfig)
    await rejects(`Bearer ${token}`, /expired/)
  })

  it('refuses a token signed with another secret, naming the setting it is checked with but not its value', async () => {
    const token = await new SignJWT({ roles: ['staff'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('s').setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(40)))
    await rejects(`Bearer ${token}`, BAD_SECRET)
  })

  it('refuses an unsigned (alg none) token', async () => {
    const token = new UnsecuredJWT({ roles: ['staff'] }).setSubject('s').setExpirationTime('1h').encode()
    await rejects(`Bearer ${token}`, /not valid|Bearer/)
  })

  it('refuses a token without a subject', async () => {
    const token = await new SignJWT({ roles: ['staff'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret)
    await rejects(`Bearer ${token}`, /subject/)
  })

  it('refuses malformed headers', async () => {
    await rejects('Basic dXNlcjpwYXNz', /Bearer/)
    await rejects('Bearer not-a-jwt', /Bearer/)
    await rejects('Bearer a.b.c', /not valid/)
  })
})

describe('token times', () => {
  it('accepts an HS256 token and says when it expires', async () => {
    const exp = now() + 600
    const { viewer, expiresAt } = await credentialsFromAuthorization(`Bearer ${await hs256({ iat: now(), exp })}`, testConfig)
    assert.equal(viewer.sub, 's')
    assert.equal(expiresAt, exp * 1000)
  })

  it('refuses a token without exp, saying it has no expiry', async () => {
    await rejects(`Bearer ${await hs256({ iat: now() })}`, /^Token has no expiry \(exp\)$/)
  })

  it('refuses a token whose exp - iat is longer than the maximum lifetime', async () => {
    const iat = now()
    await rejects(`Bearer ${await hs256({ iat, exp: iat + maxLifetime + 1 })}`, /^Token lifetime is too long \(at most 86400 seconds\)$/)
    assert.equal(await accepts(await hs256({ iat, exp: iat + maxLifetime })), 's')
  })

  it('measures the lifetime of a token without iat from now, with the clock skew', async () => {
    await rejects(`Bearer ${await hs256({ exp: now() + maxLifetime + skew + 5 })}`, /lifetime is too long/)
    assert.equal(await accepts(await hs256({ exp: now() + maxLifetime + skew - 5 })), 's')
  })

  it('refuses a token expired beyond the clock skew and accepts one expired within it', async () => {
    await rejects(`Bearer ${await hs256({ iat: now() - 600, exp: now() - skew - 5 })}`, /^Token has expired$/)
    assert.equal(await accepts(await hs256({ iat: now() - 600, exp: now() - skew + 5 })), 's')
  })

  it('refuses a token not valid before a time beyond the clock skew', async () => {
    await rejects(`Bearer ${await hs256({ iat: now(), nbf: now() + skew + 5, exp: now() + 600 })}`, /^Token is not yet valid \(nbf\)$/)
    assert.equal(await accepts(await hs256({ iat: now(), nbf: now() + skew - 5, exp: now() + 600 })), 's')
  })

  it('refuses a token issued in the future beyond the clock skew', async () => {
    await rejects(`Bearer ${await hs256({ iat: now() + skew + 5, exp: now() + 600 })}`, /^Token is issued in the future \(iat\)$/)
    assert.equal(await accepts(await hs256({ iat: now() + skew - 5, exp: now() + 600 })), 's')
  })

  it('refuses a token for another issuer or audience', async () => {
    const config = { ...testConfig, jwtIssuer: 'https://id.example', jwtAudience: 'gateway' }
    const exp = now() + 600
    assert.equal(await accepts(await hs256({ exp, iss: 'https://id.example', aud: 'gateway' }), config), 's')
    await rejects(`Bearer ${await hs256({ exp, iss: 'https://evil.example', aud: 'gateway' })}`, /^Token claim 'iss' is not valid$/, config)
    await rejects(`Bearer ${await hs256({ exp, iss: 'https://id.example', aud: 'billing' })}`, /^Token claim 'aud' is not valid$/, config)
    await rejects(`Bearer ${await hs256({ exp, aud: 'gateway' })}`, /^Token claim 'iss' is not valid$/, config)
  })
})

describe('token algorithms', () => {
  let dir: string
  let rsa: GenerateKeyPairResult
  let jwksUrl: string
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auth-alg-'))
    rsa = await generateKeyPair('RS256')
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa', use: 'sig' }] }))
    jwksUrl = pathToFileURL(join(dir, 'jwks.json')).href
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('refuses a hand-built alg none token, with or without a signature part', async () => {
    const claims = b64json({ sub: 's', roles: ['staff'], exp: now() + 600 })
    await rejects(`Bearer ${b64json({ alg: 'none', typ: 'JWT' })}.${claims}.`, /^Token is not valid: unsupported algorithm \(accepted: HS256\)$/)
    await rejects(`Bearer ${b64json({ alg: 'none' })}.${claims}.c2lnbmF0dXJl`, /unsupported algorithm/)
    await rejects(`Bearer ${b64json({ alg: 'None' })}.${claims}.`, /unsupported algorithm/)
  })

  it('refuses HS512 even when signed with the configured secret', async () => {
    await rejects(`Bearer ${await hs256({ exp: now() + 600 }, secret, 'HS512')}`, /unsupported algorithm/)
  })

  it('refuses RS256 when no JWKS is configured, never trying the HMAC secret', async () => {
    await rejects(`Bearer ${await signed(rsa.privateKey, 'RS256', 'rsa')}`, /^Token is not valid: unsupported algorithm \(accepted: HS256\)$/)
  })

  it('refuses PS256 even when the JWKS has the RSA key', async () => {
    const config = { ...testConfig, jwksUrl }
    const ps = await generateKeyPair('PS256')
    await rejects(`Bearer ${await signed(ps.privateKey, 'PS256', 'rsa')}`, /^Token is not valid: unsupported algorithm \(accepted: HS256, RS256, ES256\)$/, config)
  })

  it('refuses HS256 when only a JWKS is configured', async () => {
    const config = loadConfig({ NODE_ENV: 'test', AUTH_JWKS_URL: jwksUrl })
    assert.equal(config.jwtSecret, null)
    // even one signed with the development secret, which is what an attacker would try first
    await rejects(`Bearer ${await hs256({ exp: now() + 600 })}`, /^Token is not valid: unsupported algorithm \(accepted: RS256, ES256\)$/, config)
    await assert.rejects(signToken({ sub: 's', roles: [] }, config), /needs AUTH_JWT_SECRET/)
    assert.equal(await accepts(await signed(rsa.privateKey, 'RS256', 'rsa'), config), 'by_rsa')
  })

  it('refuses an HS256 token keyed with the RSA public key (key confusion)', async () => {
    const pem = await exportSPKI(rsa.publicKey)
    const jwk = JSON.stringify({ ...(await exportJWK(rsa.publicKey)), kid: 'rsa', use: 'sig' })
    const claims = { exp: now() + 600 }
    for (const publicKey of [pem, jwk]) {
      const token = await hs256(claims, new TextEncoder().encode(publicKey))
      // with a secret, HS256 is checked against the secret only
      await rejects(`Bearer ${token}`, BAD_SECRET, { ...testConfig, jwksUrl })
      // without one, HS256 is not accepted at all
      await rejects(`Bearer ${token}`, /unsupported algorithm/, { ...testConfig, jwksUrl, jwtSecret: null })
    }
  })
})

/** Writes a key set the way a rotation should: a new file renamed over the old one. */
const writeJwks = async (path: string, keys: readonly { kid: string; publicKey: CryptoKey }[]) => {
  const jwks = { keys: await Promise.all(keys.map(async ({ kid, publicKey }) => ({ ...(await exportJWK(publicKey)), kid, use: 'sig' }) as JWK)) }
  writeFileSync(`${path}.tmp`, JSON.stringify(jwks))
  renameSync(`${path}.tmp`, path)
  return jwks
}
const freezeClock = (t: TestContext) => t.mock.timers.enable({ apis: ['Date'], now: Date.now() })

describe('a file:// JWKS', () => {
  let dir: string
  let rsaA: GenerateKeyPairResult
  let rsaB: GenerateKeyPairResult
  let ec: GenerateKeyPairResult
  let file = 0
  /** A fresh file (and so a fresh cache entry) per test. */
  const jwksFile = () => {
    const path = join(dir, `jwks-${++file}.json`)
    return { path, config: { ...testConfig, jwksUrl: pathToFileURL(path).href } }
  }
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auth-jwks-'))
    ;[rsaA, rsaB, ec] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256'), generateKeyPair('ES256')])
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('accepts RS256 and ES256 tokens signed by its keys', async () => {
    const { path, config } = jwksFile()
    await writeJwks(path, [{ kid: 'a', publicKey: rsaA.publicKey }, { kid: 'ec', publicKey: ec.publicKey }])
    const token = await signed(rsaA.privateKey, 'RS256', 'a', { roles: ['staff'] })
    const { viewer, expiresAt } = await credentialsFromAuthorization(`Bearer ${token}`, config)
    assert.deepEqual(viewer, { sub: 'by_a', roles: ['staff'], scopes: [], locationIds: null })
    assert.ok(expiresAt !== null && expiresAt > Date.now())
    assert.equal(await accepts(await signed(ec.privateKey, 'ES256', 'ec'), config), 'by_ec')
  })

  it('refuses a kid it does not have, and a known kid signed by another key', async () => {
    const { path, config } = jwksFile()
    await writeJwks(path, [{ kid: 'a', publicKey: rsaA.publicKey }])
    await rejects(`Bearer ${await signed(rsaB.privateKey, 'RS256', 'b')}`, /^Token signing key is unknown$/, config)
    await rejects(`Bearer ${await signed(rsaB.privateKey, 'RS256', 'a')}`, BAD_JWKS_SIGNATURE, config)
    // an EC token naming an RSA key's kid finds no usable key
    await rejects(`Bearer ${await signed(ec.privateKey, 'ES256', 'a')}`, /^Token signing key is unknown$/, config)
  })

  it('follows a kid rotation on disk, checking the file at most once a second', async (t) => {
    freezeClock(t)
    const { path, config } = jwksFile()
    await writeJwks(path, [{ kid: 'a', publicKey: rsaA.publicKey }])
    const tokenA = await signed(rsaA.privateKey, 'RS256', 'a')
    const tokenB = await signed(rsaB.privateKey, 'RS256', 'b')
    assert.equal(await accepts(tokenA, config), 'by_a')

    await writeJwks(path, [{ kid: 'a', publicKey: rsaA.publicKey }, { kid: 'b', publicKey: rsaB.publicKey }])
    await rejects(`Bearer ${tokenB}`, /unknown/, config)
    t.mock.timers.tick(JWKS_TIMING.fileCheckIntervalMs)
    assert.equal(await accepts(tokenB, config), 'by_b')

    await writeJwks(path, [{ kid: 'b', publicKey: rsaB.publicKey }])
    t.mock.timers.tick(JWKS_TIMING.fileCheckIntervalMs)
    await rejects(`Bearer ${tokenA}`, /^Token signing key is unknown$/, config)
    assert.equal(await accepts(tokenB, config), 'by_b')
  })

  it('verifies a token once while its key stays in the set, and again once the key under its kid changes', async (t) => {
    freezeClock(t)
    const { path, config } = jwksFile()
    await writeJwks(path, [{ kid: 'a', publicKey: rsaA.publicKey }])
    const token = await signed(rsaA.privateKey, 'RS256', 'a')
    let checks = 0
    const verify = crypto.subtle.verify.bind(crypto.subtle)
    t.mock.method(crypto.subtle, 'verify', (...args: Parameters<typeof verify>) => {
      checks++
      return verify(...args)
    })
    assert.equal(await accepts(token, config), 'by_a')
    assert.equal(await accepts(token, config), 'by_a')
    t.mock.timers.tick(JWKS_TIMING.fileCheckIntervalMs)
    assert.equal(await accepts(token, config), 'by_a', 'the file checked again, unchanged')
    assert.equal(checks, 1, 'one signature check for three requests')

    // kid `a` now names another key: the remembered token is verified again, and refused
    await writeJwks(path, [{ kid: 'a', publicKey: rsaB.publicKey }])
    t.mock.timers.tick(JWKS_TIMING.fileCheckIntervalMs)
    await rejects(`Bearer ${token}`, BAD_JWKS_SIGNATURE, config)
    assert.equal(checks, 2)
  })

  it('refuses with UNAUTHENTICATED while the file is missing or malformed, and recovers when it is fixed', async (t) => {
    freezeClock(t)
    const { path, config } = jwksFile()
    const token = await signed(rsaA.privateKey, 'RS256', 'a')
    await rejects(`Bearer ${token}`, /^Token signing keys are unavailable$/, config)
    for (const content of ['{"keys": [', '{"keys": "a"}', '[]', JSON.stringify({ keys: [{ kty: 'RSA', kid: 'a', e: 'AQAB' }] })]) {
      writeFileSync(path, content)
      t.mock.timers.tick(JWKS_TIMING.fileCheckIntervalMs)
      await rejects(`Bearer ${token}`, /^Token signing keys are unavailable$/, config)
    }
    // a member that imports but is no usable key (a 0-bit modulus) fails only at verification
    writeFileSync(path, JSON.stringify({ keys: [{ kty: 'RSA', kid: 'a', n: 'AA', e: 'AQAB' }] }))
    t.mock.timers.tick(JWKS_TIMING.fileCheckIntervalMs)
    await rejects(`Bearer ${token}`, /^Token is not valid$/, config)
    await writeJwks(path, [{ kid: 'a', publicKey: rsaA.publicKey }])
    t.mock.timers.tick(JWKS_TIMING.fileCheckIntervalMs)
    assert.equal(await accepts(token, config), 'by_a')
  })
})

describe('an http:// JWKS', () => {
  let server: Server
  let base: string
  let rsaA: GenerateKeyPairResult
  let rsaB: GenerateKeyPairResult
  const served = new Map<string, unknown>()
  const fetches = new Map<string, number>()
  before(async () => {
    ;[rsaA, rsaB] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256')])
    server = createServer((request, response) => {
      const path = request.url ?? '/'
      fetches.set(path, (fetches.get(path) ?? 0) + 1)
      const body = served.get(path)
      if (body === undefined) return void response.writeHead(500).end('down')
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    // fetch keeps connections alive; close them or the server never stops
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const jwks = async (keys: readonly { kid: string; publicKey: CryptoKey }[]) => ({ keys: await Promise.all(keys.map(async ({ kid, publicKey }) => ({ ...(await exportJWK(publicKey)), kid }))) })

  it('fetches the key set once and verifies RS256 tokens with it', async () => {
    served.set('/once', await jwks([{ kid: 'a', publicKey: rsaA.publicKey }]))
    const config = { ...testConfig, jwksUrl: `${base}/once` }
    assert.equal(await accepts(await signed(rsaA.privateKey, 'RS256', 'a'), config), 'by_a')
    assert.equal(await accepts(await signed(rsaA.privateKey, 'RS256', 'a', { sub: 'again' }), config), 'again')
    assert.equal(fetches.get('/once'), 1)
  })

  it('follows a rotation on the server without a restart, refetching an unknown kid after the cooldown', async (t) => {
    freezeClock(t)
    served.set('/rotate', await jwks([{ kid: 'a', publicKey: rsaA.publicKey }]))
    const config = { ...testConfig, jwksUrl: `${base}/rotate` }
    // tokens outlive the cache's maximum age, which the clock is moved past below
    const exp = now() + JWKS_TIMING.cacheMaxAgeMs / 1000 + 3600
    const tokenA = await signed(rsaA.privateKey, 'RS256', 'a', { exp })
    assert.equal(await accepts(tokenA, config), 'by_a')

    served.set('/rotate', await jwks([{ kid: 'a', publicKey: rsaA.publicKey }, { kid: 'b', publicKey: rsaB.publicKey }]))
    const tokenB = await signed(rsaB.privateKey, 'RS256', 'b', { exp })
    // right after a fetch, an unknown kid is not worth another one (made-up kids cannot flood the issuer)
    await rejects(`Bearer ${tokenB}`, /^Token signing key is unknown$/, config)
    assert.equal(fetches.get('/rotate'), 1)
    t.mock.timers.tick(JWKS_TIMING.cooldownMs)
    assert.equal(await accepts(tokenB, config), 'by_b')
    assert.equal(fetches.get('/rotate'), 2)

    // a removed key is forgotten when the cached set grows old
    served.set('/rotate', await jwks([{ kid: 'b', publicKey: rsaB.publicKey }]))
    assert.equal(await accepts(tokenA, config), 'by_a')
    t.mock.timers.tick(JWKS_TIMING.cacheMaxAgeMs)
    await rejects(`Bearer ${tokenA}`, /^Token signing key is unknown$/, config)
    assert.equal(await accepts(tokenB, config), 'by_b')
  })

  it('refuses with UNAUTHENTICATED when the key set cannot be fetched', async () => {
    const token = await signed(rsaA.privateKey, 'RS256', 'a')
    await rejects(`Bearer ${token}`, /^Token signing keys are unavailable$/, { ...testConfig, jwksUrl: `${base}/down` })
    served.set('/not-a-jwks', { keys: 'none' })
    await rejects(`Bearer ${token}`, /^Token signing keys are unavailable$/, { ...testConfig, jwksUrl: `${base}/not-a-jwks` })
    // nothing listens on port 9 (discard) of the loopback address
    await rejects(`Bearer ${token}`, /^Token signing keys are unavailable$/, { ...testConfig, jwksUrl: 'http://127.0.0.1:9/jwks.json' })
  })
})

describe('HS256 tokens verified once a minute at most', () => {
  it('refuses a token it accepted a moment before once it expires, as if never seen', async (t) => {
    freezeClock(t)
    const token = await hs256({ iat: now(), exp: now() + 5 })
    assert.equal(await accepts(token), 's')
    assert.equal(await accepts(token), 's')
    t.mock.timers.tick((5 + skew + 1) * 1000)
    await rejects(`Bearer ${token}`, /expired/)
  })

  it('verifies again with the secret of the configuration asking: another secret refuses it', async () => {
    const token = await hs256({ iat: now(), exp: now() + 600 })
    assert.equal(await accepts(token), 's')
    await rejects(`Bearer ${token}`, BAD_SECRET, { ...testConfig, jwtSecret: 'y'.repeat(40) })
  })
})
