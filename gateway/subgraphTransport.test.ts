import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { freePort } from '../bench/processes.ts'
import { CircuitOpenError, createSubgraphTransport, SubgraphTimeoutError } from './subgraphTransport.ts'

/** A subgraph stand-in answering what `script` says for each request, counting them. */
function scriptedServer(script: (n: number) => 'ok' | 503 | 500 | 'hang') {
  let requests = 0
  const server: Server = createServer((request, response) => {
    const what = script(++requests)
    request.resume()
    if (what === 'hang') return
    response.writeHead(what === 'ok' ? 200 : what, { 'content-type': 'application/json' })
    response.end('{"data":{"ok":true}}')
  })
  return {
    server,
    requests: () => requests,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
  }
}

const post = (url: string) => (signal: AbortSignal) => fetch(url, { method: 'POST', body: '{}', signal })

describe('subgraph transport', () => {
  let script: (n: number) => 'ok' | 503 | 500 | 'hang' = () => 'ok'
  const subgraph = scriptedServer((n) => script(n))
  before(() => new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve)))
  after(() => {
    subgraph.server.closeAllConnections()
    subgraph.server.close()
  })
  const transport = (over: Partial<Parameters<typeof createSubgraphTransport>[0]> = {}) =>
    createSubgraphTransport({ name: 'inventory', timeoutMs: 300, maxRetries: 2, breaker: { consecutiveFailures: 100, minimumCalls: 1000 }, ...over })

  it('retries a query that got 503 and answers with the retry; sends a mutation once', async () => {
    const start = subgraph.requests()
    script = (n) => (n === start + 1 ? 503 : 'ok')
    const t = transport()
    assert.equal((await t.send(post(subgraph.url()), { retryable: true })).status, 200)
    assert.equal(subgraph.requests() - start, 2)
    assert.equal(t.stats().retries, 1)
    script = () => 503
    const before = subgraph.requests()
    assert.equal((await t.send(post(subgraph.url()), { retryable: false })).status, 503)
    assert.equal(subgraph.requests() - before, 1, 'a mutation is never retried')
  })

  it('does not retry a 500 (the request ran) nor past its retries', async () => {
    const t = transport()
    script = () => 500
    let before = subgraph.requests()
    assert.equal((await t.send(post(subgraph.url()), { retryable: true })).status, 500)
    assert.equal(subgraph.requests() - before, 1)
    script = () => 503
    before = subgraph.requests()
    assert.equal((await t.send(post(subgraph.url()), { retryable: true })).status, 503)
    assert.equal(subgraph.requests() - before, 3, 'the first attempt and two retries')
  })

  it('retries a refused connection, then gives up', async () => {
    const t = transport()
    const closed = `http://127.0.0.1:${await freePort()}/graphql`
    await assert.rejects(t.send(post(closed), { retryable: true }), (error: Error) => !(error instanceof CircuitOpenError))
    assert.equal(t.stats().retries, 2)
  })

  it('times out an attempt that hangs, with no retry', async () => {
    const t = transport()
    script = () => 'hang'
    const before = subgraph.requests()
    await assert.rejects(t.send(post(subgraph.url()), { retryable: true }), SubgraphTimeoutError)
    assert.equal(subgraph.requests() - before, 1)
  })

  it('opens after failures in a row, refuses at once while open, and closes after a good probe', async () => {
    const t = transport({ maxRetries: 0, breaker: { consecutiveFailures: 3, openMs: 200 } })
    script = () => 503
    for (let i = 0; i < 3; i++) await t.send(post(subgraph.url()), { retryable: true })
    assert.equal(t.stats().state, 'open')
    const before = subgraph.requests()
    await assert.rejects(t.send(post(subgraph.url()), { retryable: true }), (error: unknown) => error instanceof CircuitOpenError && error.retryAfterMs > 0)
    assert.equal(subgraph.requests(), before, 'not called while open')
    await new Promise((resolve) => setTimeout(resolve, 220))
    script = () => 'ok'
    assert.equal((await t.send(post(subgraph.url()), { retryable: true })).status, 200)
    assert.equal(t.stats().state, 'closed')
    assert.deepEqual({ opened: t.stats().opened, shortCircuited: t.stats().shortCircuited }, { opened: 1, shortCircuited: 1 })
  })

  it("does not hold the client's own deadline against the subgraph", async () => {
    const t = transport({ breaker: { consecutiveFailures: 2 } })
    script = () => 'hang'
    for (let i = 0; i < 4; i++) {
      await assert.rejects(t.send(post(subgraph.url()), { retryable: true, signal: AbortSignal.timeout(20) }))
    }
    assert.equal(t.stats().state, 'closed')
  })
})
