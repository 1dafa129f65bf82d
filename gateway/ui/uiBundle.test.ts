import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import { CONTENT_SECURITY_POLICY } from './securityHeaders.ts'
import { serveUiAssets, serveUiPage } from './uiBundle.ts'

describe('the UI bundle as the gateway serves it', () => {
  let dist: string
  let empty: string
  let app: FastifyInstance
  let bare: FastifyInstance
  const script = 'console.log("graphiql")\n'.repeat(50)

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'ui-dist-'))
    empty = mkdtempSync(join(tmpdir(), 'ui-none-'))
    mkdirSync(join(dist, 'graphiql'))
    mkdirSync(join(dist, 'assets'))
    writeFileSync(join(dist, 'graphiql', 'index.html'), '<!doctype html><script type="module" src="/ui/assets/main-abc123.js"></script>')
    writeFileSync(join(dist, 'assets', 'main-abc123.js'), script)
    writeFileSync(join(dist, 'assets', 'main-abc123.js.br'), brotliCompressSync(script))
    writeFileSync(join(dist, 'secret.txt'), 'not an asset')
    app = Fastify()
    serveUiAssets(app, dist)
    serveUiPage(app, '/graphiql', 'graphiql', dist)
    bare = Fastify()
    serveUiAssets(bare, empty)
    serveUiPage(bare, '/console', 'console', empty)
  })
  after(async () => {
    await app.close()
    await bare.close()
    rmSync(dist, { recursive: true, force: true })
    rmSync(empty, { recursive: true, force: true })
  })

  it('serves a page with a policy that names no other origin, never cached', async () => {
    const response = await app.inject({ method: 'GET', url: '/graphiql' })
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^text\/html/)
    assert.equal(response.headers['content-security-policy'], CONTENT_SECURITY_POLICY)
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /https?:|\*/)
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/)
    assert.equal(response.headers['x-frame-options'], 'DENY')
    assert.equal(response.headers['cache-control'], 'no-cache')
  })

  it('answers 503 saying how to build the bundle when it is missing, for pages and assets alike', async () => {
    const page = await bare.inject({ method: 'GET', url: '/console' })
    assert.equal(page.statusCode, 503)
    assert.match(page.body, /npm run build:ui/)
    assert.equal((await bare.inject({ method: 'GET', url: '/ui/assets/main-abc123.js' })).statusCode, 404)
  })

  it('serves hashed files for a year, brotli-compressed when the client takes it', async () => {
    const plain = await app.inject({ method: 'GET', url: '/ui/assets/main-abc123.js' })
    assert.equal(plain.statusCode, 200)
    assert.equal(plain.body, script)
    assert.match(String(plain.headers['content-type']), /^text\/javascript/)
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.equal(plain.headers['content-encoding'], undefined)
    const compressed = await app.inject({ method: 'GET', url: '/ui/assets/main-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } })
    assert.equal(compressed.headers['content-encoding'], 'br')
    assert.equal(brotliDecompressSync(compressed.rawPayload).toString(), script)
    const refused = await app.inject({ method: 'GET', url: '/ui/assets/main-abc123.js', headers: { 'accept-encoding': 'br;q=0' } })
    assert.equal(refused.headers['content-encoding'], undefined)
  })

  it('serves nothing outside the assets folder, and no file type it does not know', async () => {
    for (const url of ['/ui/assets/..%2Fsecret.txt', '/ui/assets/%2E%2E%2Fgraphiql%2Findex.html', '/ui/assets/secret.txt', '/ui/assets/missing-1.js']) {
      const response = await app.inject({ method: 'GET', url })
      assert.equal(response.statusCode, 404, url)
    }
  })
})
