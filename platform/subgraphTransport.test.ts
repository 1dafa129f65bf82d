import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { freePort } from '../bench/processes.ts'
import { ReplicaSet } from './replicas.ts'
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

/** An attempt to the replica the transport picked. */
const post = (signal: AbortSignal, url: string) => fetch(url, { method: 'POST', body: '{}', signal })

describe('subgraph transport', () => {
  let script: (n: number) => 'ok' | 503 | 500 | 'hang' = () => 'ok'
  const subgraph = scriptedServer((n) => script(n))
  before(() => new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve)))
  after(() => {
    subgraph.server.closeAllConnections()
    subgraph.server.close()
  })
  const transport = (over: Partial<Parameters<typeof createSubgraphTransport>[0]> = {}) =>
    createSubgraphTransport({ name: 'inventory', urls: [subgraph.url()], timeoutMs: 300, maxRetries: 2, breaker: { consecutiveFailures: 100, minimumCalls: 1000 }, ...over })

  it('retries a query that got 503 and answers with the retry; sends a mutation once', async () => {
    const start = subgraph.requests()
    script = (n) => (n === start + 1 ? 503 : 'ok')
    const t = transport()
    assert.equal((await t.send(post, { retryable: true })).status, 200)
    assert.equal(subgraph.requests() - start, 2)
    assert.equal(t.stats().retries, 1)
    script = () => 503
    const before = subgraph.requests()
    assert.equal((await t.send(post, { retryable: false })).status, 503)
    assert.equal(subgraph.requests() - before, 1, 'a mutation is never retried')
  })

  it('does not retry a 500 (the request ran) nor past its retries', async () => {
    const t = transport()
    script = () => 500
    let before = subgraph.requests()
    assert.equal((await t.send(post, { retryable: true })).status, 500)
    assert.equal(subgraph.requests() - before, 1)
    script = () => 503
    before = subgraph.requests()
    assert.equal((await t.send(post, { retryable: true })).status, 503)
    assert.equal(subgraph.requests() - before, 3, 'the first attempt and two retries')
  })

  it('retries a refused connection, then gives up', async () => {
    const t = transport({ urls: [`http://127.0.0.1:${await freePort()}/graphql`] })
    await assert.rejects(t.send(post, { retryable: true }), (error: Error) => !(error instanceof CircuitOpenError))
    assert.equal(t.stats().retries, 2)
  })

  it('times out an attempt that hangs, with no retry', async () => {
    const t = transport()
    script = () => 'hang'
    const before = subgraph.requests()
    await assert.rejects(t.send(post, { retryable: true }), SubgraphTimeoutError)
    assert.equal(subgraph.requests() - before, 1)
  })

  it('opens after failures in a row, refuses at once while open, and closes after a good probe', async () => {
    const t = transport({ maxRetries: 0, breaker: { consecutiveFailures: 3, openMs: 200 } })
    script = () => 503
    for (let i = 0; i < 3; i++) await t.send(post, { retryable: true })
    assert.equal(t.stats().state, 'open')
    const before = subgraph.requests()
    await assert.rejects(t.send(post, { retryable: true }), (error: unknown) => error instanceof CircuitOpenError && error.retryAfterMs > 0)
    assert.equal(subgraph.requests(), before, 'not called while open')
    await new Promise((resolve) => setTimeout(resolve, 220))
    script = () => 'ok'
    assert.equal((await t.send(post, { retryable: true })).status, 200)
    assert.equal(t.stats().state, 'closed')
    assert.deepEqual({ opened: t.stats().opened, shortCircuited: t.stats().shortCircuited }, { opened: 1, shortCircuited: 1 })
  })

  it("does not hold the client's own deadline against the subgraph", async () => {
    const t = transport({ breaker: { consecutiveFailures: 2 } })
    script = () => 'hang'
    for (let i = 0; i < 4; i++) {
      await assert.rejects(t.send(post, { retryable: true, signal: AbortSignal.timeout(20) }))
    }
    assert.equal(t.stats().state, 'closed')
  })

  it('fails over to another replica: a query at once, a mutation only when the first never got it', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/graphql`
    const t = transport({ urls: [dead, subgraph.url()], maxRetries: 1 })
    script = () => 'ok'
    let before = subgraph.requests()
    assert.equal((await t.send(post, { retryable: true })).status, 200)
    const fresh = transport({ urls: [dead, subgraph.url()], maxRetries: 0 })
    assert.equal((await fresh.send(post, { retryable: false })).status, 200, 'the dead replica, tried first, refused: nothing was sent')
    fresh.close()
    assert.equal(subgraph.requests() - before, 2)
    assert.equal(t.stats().replicasUp, 1, 'the dead replica is set aside')
    assert.equal(t.stats().state, 'closed', 'calls that another replica answered are no failures')
    for (let i = 0; i < 4; i++) assert.equal((await t.send(post, { retryable: false })).status, 200)
    t.close()

    const other = scriptedServer(() => 503)
    await new Promise<void>((resolve) => other.server.listen(0, '127.0.0.1', resolve))
    const u = transport({ urls: [other.url(), subgraph.url()], maxRetries: 1 })
    before = other.requests()
    assert.equal((await u.send(post, { retryable: false })).status, 503, 'a mutation the replica got is not sent again')
    assert.equal(other.requests() - before, 1)
    u.close()
    other.server.close()
  })
})

describe('replica set', () => {
  it('goes round the replicas, sets a failed one aside until its health check passes', async () => {
    let healthy = false
    const replicas = new ReplicaSet(['http://a/graphql', 'http://b/graphql'], { healthCheckMs: 20, healthy: async () => healthy })
    assert.deepEqual([replicas.pick(), replicas.pick(), replicas.pick()], ['http://a/graphql', 'http://b/graphql', 'http://a/graphql'])
    replicas.failed('http://a/graphql')
    assert.deepEqual([replicas.pick(), replicas.pick()], ['http://b/graphql', 'http://b/graphql'])
    assert.equal(replicas.pick(new Set(['http://b/graphql'])), 'http://a/graphql', 'a set-aside replica still takes a retry when it is the only one left')
    await new Promise((resolve) => setTimeout(resolve, 60))
    assert.equal(replicas.upCount(), 1, 'not back while its health check fails')
    healthy = true
    await new Promise((resolve) => setTimeout(resolve, 60))
    assert.equal(replicas.upCount(), 2)
    replicas.close()
  })
})
