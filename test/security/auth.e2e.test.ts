import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose'
import type { Stack } from '../stack.ts'
import { assertAlive, assertNoSubgraphCalled, assertRefused, base64url, handMadeToken, nowSeconds, post, type Answer } from './attackSupport.ts'
import { defaults, startSecurityStack } from './securityStack.ts'

// a query that reaches catalog when it runs: a refusal must stop it before
const PROBE = '{ products(first: 1) { nodes { id } } }'
const ISSUER = 'https://id.commerce.test'
const AUDIENCE = 'commerce-api'
// rate limits and adaptive throttling have their own suite; here they would only add noise
const quiet = { rateLimit: { ...defaults.rateLimit, enabled: false }, anomaly: { ...defaults.anomaly, enabled: false } }

interface Keys {
  readonly privateKey: CryptoKey
  readonly publicPem: string
  readonly jwksUrl: string
  readonly dir: string
}

/** An RS256 key pair whose public half is the only key of a JWKS file (kid `k1`). */
async function jwksFile(): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const dir = mkdtempSync(join(tmpdir(), 'attack-jwks-'))
  const file = join(dir, 'jwks.json')
  writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] }))
  return { privateKey, publicPem: await exportSPKI(publicKey), jwksUrl: pathToFileURL(file).href, dir }
}

const sign = (claims: JWTPayload, header: { alg: string; kid?: string }, key: CryptoKey | Uint8Array) =>
  new SignJWT(claims).setProtectedHeader({ typ: 'JWT', ...header }).sign(key)
const bytes = (text: string) => new TextEncoder().encode(text)

describe('JWTs at the gateway (attack suite)', () => {
  let stack: Stack
  let keys: Keys
  let secret: Uint8Array
  /** Claims a good token carries; each case breaks exactly one thing. */
  const claims = (overrides: JWTPayload = {}): JWTPayload => ({
    sub: 'c_1001',
    roles: ['customer'],
    iss: ISSUER,
    aud: AUDIENCE,
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    ...overrides,
  })
  before(async () => {
    keys = await jwksFile()
    // both kinds of key at once, as during a migration to an identity provider: the setting in
    // which an algorithm confusion would bite
    stack = await startSecurityStack({ gatewayConfig: { ...quiet, jwksUrl: keys.jwksUrl, jwtIssuer: ISSUER, jwtAudience: AUDIENCE } })
    secret = bytes(stack.config.jwtSecret!)
  })
  after(async () => {
    await stack.close()
    rmSync(keys.dir, { recursive: true, force: true })
  })

  const withToken = (token: string) => post(stack, { query: PROBE }, { authorization: `Bearer ${token}` })

  /** 401 UNAUTHENTICATED, no subgraph called, the token not echoed, the gateway still up. */
  async function refusedToken(authorization: string): Promise<Answer> {
    stack.resetCounters()
    const answer = await post(stack, { query: PROBE }, { authorization })
    assertRefused(stack, answer, 401, 'UNAUTHENTICATED')
    assertNoSubgraphCalled(stack)
    const token = authorization.replace(/^\S+\s*/, '')
    if (token.length > 8) assert.ok(!answer.raw.includes(token), 'the token is not echoed back')
    await assertAlive(stack)
    return answer
  }

  it('accepts a well-formed token of each kind, so every refusal below is about the one thing broken', async () => {
    for (const token of [await sign(claims(), { alg: 'HS256' }, secret), await sign(claims(), { alg: 'RS256', kid: 'k1' }, keys.privateKey)]) {
      stack.resetCounters()
      const answer = await withToken(token)
      assert.equal(answer.status, 200, answer.raw)
      assert.equal(answer.body?.errors, undefined, answer.raw)
      assert.equal(answer.body?.data?.['products'].nodes.length, 1)
      assert.equal(stack.subgraphCalls().catalog, 1)
    }
  })

  it('refuses an unsigned token (alg none, in any spelling)', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const answer = await refusedToken(`Bearer ${handMadeToken({ alg, typ: 'JWT' }, claims({ roles: ['staff'] }))}`)
      assert.match(answer.body!.errors![0]!.message, /unsupported algorithm \(accepted: HS256, RS256, ES256\)/)
    }
  })

  it('refuses an HS512 token, even one signed with the real secret', async () => {
    await refusedToken(`Bearer ${await sign(claims(), { alg: 'HS512' }, bytes(stack.config.jwtSecret!.repeat(2)))}`)
    await refusedToken(`Bearer ${await sign(claims(), { alg: 'HS512' }, secret)}`)
  })

  it('refuses an HS256 token "signed" with the RSA public key of the JWKS (key confusion)', async () => {
    // the attacker knows the public key: it is published. With or without the key's kid.
    for (const header of [{ alg: 'HS256' }, { alg: 'HS256', kid: 'k1' }]) {
      const answer = await refusedToken(`Bearer ${await sign(claims({ roles: ['staff'] }), header, bytes(keys.publicPem))}`)
      assert.equal(answer.body!.errors![0]!.message, "Token signature is not valid: was it signed with this gateway's AUTH_JWT_SECRET?")
    }
  })

  it('refuses an RS256 token signed by a key the JWKS does not hold (an unknown kid)', async () => {
    const { privateKey } = await generateKeyPair('RS256')
    const unknownKid = await refusedToken(`Bearer ${await sign(claims(), { alg: 'RS256', kid: 'attacker' }, privateKey)}`)
    assert.equal(unknownKid.body!.errors![0]!.message, 'Token signing key is unknown')
    // the known kid, the wrong private key
    await refusedToken(`Bearer ${await sign(claims(), { alg: 'RS256', kid: 'k1' }, privateKey)}`)
  })

  it('refuses a token expired beyond the clock skew, and accepts one within it', async () => {
    const expired = await refusedToken(`Bearer ${await sign(claims({ iat: nowSeconds() - 3600, exp: nowSeconds() - 31 - 5 }), { alg: 'HS256' }, secret)}`)
    assert.equal(expired.body!.errors![0]!.message, 'Token has expired')
    const withinSkew = await withToken(await sign(claims({ iat: nowSeconds() - 3600, exp: nowSeconds() - 10 }), { alg: 'HS256' }, secret))
    assert.equal(withinSkew.status, 200, withinSkew.raw)
  })

  it('refuses a token that is not yet valid (nbf) or issued in the future (iat)', async () => {
    const notYet = await refusedToken(`Bearer ${await sign(claims({ nbf: nowSeconds() + 120 }), { alg: 'HS256' }, secret)}`)
    assert.equal(notYet.body!.errors![0]!.message, 'Token is not yet valid (nbf)')
    const future = await refusedToken(`Bearer ${await sign(claims({ iat: nowSeconds() + 3600, exp: nowSeconds() + 4000 }), { alg: 'HS256' }, secret)}`)
    assert.match(future.body!.errors![0]!.message, /iat/)
  })

  it('refuses a token without exp', async () => {
    const { exp: _exp, ...forever } = claims()
    const answer = await refusedToken(`Bearer ${await sign(forever, { alg: 'HS256' }, secret)}`)
    assert.equal(answer.body!.errors![0]!.message, 'Token has no expiry (exp)')
  })

  it('refuses a token whose lifetime is over AUTH_MAX_TOKEN_LIFETIME, with or without iat', async () => {
    const max = stack.config.maxTokenLifetimeSeconds
    assert.equal(max, 86_400)
    const long = await refusedToken(`Bearer ${await sign(claims({ exp: nowSeconds() + max + 60 }), { alg: 'HS256' }, secret)}`)
    assert.match(long.body!.errors![0]!.message, /lifetime is too long/)
    const { iat: _iat, ...noIat } = claims({ exp: nowSeconds() + 2 * max })
    await refusedToken(`Bearer ${await sign(noIat, { alg: 'HS256' }, secret)}`)
  })

  it('refuses a wrong or missing issuer, and a wrong audience, when they are configured', async () => {
    await refusedToken(`Bearer ${await sign(claims({ iss: 'https://evil.example' }), { alg: 'HS256' }, secret)}`)
    const { iss: _iss, ...noIssuer } = claims()
    await refusedToken(`Bearer ${await sign(noIssuer, { alg: 'HS256' }, secret)}`)
    await refusedToken(`Bearer ${await sign(claims({ aud: 'another-api' }), { alg: 'HS256' }, secret)}`)
    await refusedToken(`Bearer ${await sign(claims({ aud: 'another-api' }), { alg: 'RS256', kid: 'k1' }, keys.privateKey)}`)
  })

  it('refuses a token signed with another secret, and a real token whose claims were edited to staff', async () => {
    await refusedToken(`Bearer ${await sign(claims(), { alg: 'HS256' }, bytes('x'.repeat(48)))}`)
    const [header, , signature] = (await sign(claims(), { alg: 'HS256' }, secret)).split('.')
    await refusedToken(`Bearer ${header}.${base64url(claims({ roles: ['staff'] }))}.${signature}`)
  })

  it('refuses garbage in the Authorization header, never treating it as anonymous', async () => {
    const real = await sign(claims(), { alg: 'HS256' }, secret)
    const garbage = [
      'Bearer',
      'Bearer not-a-jwt',
      'Bearer a.b.c',
      `Bearer ${base64url('"just a string"')}.${base64url('{}')}.`,
      `Bearer ${base64url('{"alg":')}.${base64url('{}')}.x`,
      'Basic dXNlcjpwYXNzd29yZA==',
      `Token ${real}`,
      `Bearer ${real}, Bearer ${real}`,
      `Bearer ${real}.extra`,
      `Bearer ${'A'.repeat(6000)}.${'B'.repeat(6000)}.${'C'.repeat(100)}`,
      "Bearer ' OR 1=1 --",
    ]
    for (const authorization of garbage) await refusedToken(authorization)
  })
})

describe('JWTs at a gateway with only a JWKS (attack suite)', () => {
  let stack: Stack
  let keys: Keys
  before(async () => {
    keys = await jwksFile()
    stack = await startSecurityStack({ gatewayConfig: { ...quiet, jwksUrl: keys.jwksUrl, jwtSecret: null } })
  })
  after(async () => {
    await stack.close()
    rmSync(keys.dir, { recursive: true, force: true })
  })

  it('refuses every HS256 token, the key-confusion one included, and accepts the JWKS key', async () => {
    const claims = { sub: 'staff_evil', roles: ['staff'], iat: nowSeconds(), exp: nowSeconds() + 600 }
    stack.resetCounters()
    const confused = await post(stack, { query: PROBE }, { authorization: `Bearer ${await sign(claims, { alg: 'HS256', kid: 'k1' }, bytes(keys.publicPem))}` })
    assertRefused(stack, confused, 401, 'UNAUTHENTICATED')
    assert.match(confused.body!.errors![0]!.message, /unsupported algorithm \(accepted: RS256, ES256\)/)
    assertNoSubgraphCalled(stack)
    const genuine = await post(stack, { query: PROBE }, { authorization: `Bearer ${await sign(claims, { alg: 'RS256', kid: 'k1' }, keys.privateKey)}` })
    assert.equal(genuine.status, 200, genuine.raw)
    await assertAlive(stack)
  })
})
