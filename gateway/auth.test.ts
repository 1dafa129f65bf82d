import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SignJWT, UnsecuredJWT } from 'jose'
import { GraphQLError } from 'graphql'
import { testConfig } from '../platform/testing.ts'
import { signToken, viewerFromAuthorization } from './auth.ts'

const secret = new TextEncoder().encode(testConfig.jwtSecret)
const rejects = async (header: string, message: RegExp) => {
  await assert.rejects(viewerFromAuthorization(header, testConfig), (error: unknown) => {
    assert.ok(error instanceof GraphQLError)
    assert.equal(error.extensions['code'], 'UNAUTHENTICATED')
    assert.match(error.message, message)
    return true
  })
}

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
    const token = await signToken({ sub: 'c_1', roles: ['customer'], expiresIn: -10 }, testConfig)
    await rejects(`Bearer ${token}`, /expired/)
  })

  it('refuses a token signed with another secret', async () => {
    const token = await new SignJWT({ roles: ['staff'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('s').setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(40)))
    await rejects(`Bearer ${token}`, /not valid/)
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
