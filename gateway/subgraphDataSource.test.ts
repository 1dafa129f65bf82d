import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js'
import { customer, staff } from '../platform/testing.ts'
import { VIEWER_HEADER, type Viewer } from '../platform/viewer.ts'
import { createSubgraphDataSource } from './subgraphDataSource.ts'

/** A subgraph that counts what reaches it and answers only when the test releases it. */
function heldSubgraph() {
  const received: { body: string; signed: boolean }[] = []
  let waiting: ServerResponse[] = []
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      received.push({ body, signed: typeof request.headers[VIEWER_HEADER] === 'string' })
      waiting.push(response)
    })
  })
  return {
    server,
    received,
    release(answer: unknown = { data: { ok: true } }) {
      for (const response of waiting) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
      waiting = []
    },
    held: () => waiting.length,
  }
}

describe('the subgraph data source shares identical query fetches in flight', () => {
  const subgraph = heldSubgraph()
  let url = ''
  before(async () => {
    await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}/graphql`
  })
  after(() => new Promise<void>((resolve) => subgraph.server.close(() => resolve())))

  const source = (deduplicate = true) => {
    let shared = 0
    const dataSource = createSubgraphDataSource({
      name: 'catalog', url, signingSecret: 's'.repeat(32), timeoutMs: 5000, maxResponseBytes: 1 << 20, deduplicate, onDeduplicated: () => shared++,
    })
    const send = (query: string, viewer: Viewer, signal?: AbortSignal) =>
      dataSource.process({ kind: GraphQLDataSourceRequestKind.HEALTH_CHECK, request: { query, variables: { id: 'p_1' } }, context: { viewer, signal } })
    return { send, shared: () => shared }
  }
  /** Waits until the subgraph holds `n` requests (each fetch reached it, or joined one that did). */
  const reached = async (n: number) => {
    for (let i = 0; i < 200 && subgraph.held() < n; i++) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.equal(subgraph.held(), n)
  }

  it('makes one call for the same query, variables and viewer, and answers every caller', async () => {
    const { send, shared } = source()
    const before = subgraph.received.length
    const answers = Promise.all([send('query P { product { id } }', customer('c_1')), send('query P { product { id } }', customer('c_1'))])
    await reached(1)
    subgraph.release()
    assert.deepEqual((await answers).map((a) => a.data), [{ ok: true }, { ok: true }])
    assert.equal(subgraph.received.length - before, 1)
    assert.equal(shared(), 1)
    assert.ok(subgraph.received.at(-1)?.signed)
  })

  it('never shares between viewers, nor mutations, nor with deduplication off', async () => {
    for (const [label, calls, deduplicate] of [
      ['two viewers', [['query P { product { id } }', customer('c_1')], ['query P { product { id } }', staff()]], true],
      ['two mutations', [['mutation M { touch }', customer('c_1')], ['mutation M { touch }', customer('c_1')]], true],
      ['deduplication off', [['query P { product { id } }', customer('c_1')], ['query P { product { id } }', customer('c_1')]], false],
    ] as const) {
      const { send, shared } = source(deduplicate)
      const answers = Promise.all(calls.map(([query, viewer]) => send(query, viewer)))
      await reached(2)
      subgraph.release()
      assert.equal((await answers).length, 2, label)
      assert.equal(shared(), 0, label)
    }
  })

  it('lets one caller stop waiting at its deadline while the others get the answer', async () => {
    const { send } = source()
    const deadline = new AbortController()
    const impatient = send('query Q { product { id } }', customer('c_2'), deadline.signal)
    const patient = send('query Q { product { id } }', customer('c_2'))
    await reached(1)
    deadline.abort(new Error('deadline'))
    await assert.rejects(impatient)
    subgraph.release()
    assert.deepEqual((await patient).data, { ok: true })
  })
})

describe('the subgraph data source answers a failed fetch with a code and the service name only', () => {
  let server: ReturnType<typeof createServer>
  let base = ''
  before(async () => {
    server = createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        const path = request.url ?? '/'
        if (path === '/ok') {
          response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=30' }).end(JSON.stringify({ data: { ok: true }, errors: [{ message: 'partial' }] }))
        } else if (path === '/500') response.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":[{"message":"boom at http://10.0.0.7/internal"}]}')
        else if (path === '/html') response.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>')
        else if (path === '/array') response.writeHead(200, { 'content-type': 'application/json' }).end('[1,2]')
        else if (path === '/large') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { blob: 'z'.repeat(5000) } }))
        else setTimeout(() => response.end('{}'), 1000).unref()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const send = (path: string) =>
    createSubgraphDataSource({ name: 'catalog', url: `${base}${path}`, signingSecret: 's'.repeat(32), timeoutMs: 200, maxResponseBytes: 1000 }).process({
      kind: GraphQLDataSourceRequestKind.HEALTH_CHECK,
      request: { query: 'query Q { product { id } }' },
      context: { viewer: customer('c_1') },
    })
  const failsWith = async (path: string, code: string) => {
    await assert.rejects(send(path), (error: { message: string; extensions?: Record<string, unknown> }) => {
      assert.equal(error.extensions?.['code'], code, path)
      assert.equal(error.extensions?.['serviceName'], 'catalog')
      assert.doesNotMatch(JSON.stringify(error) + error.message, /127\.0\.0\.1|10\.0\.0\.7|proxy error|boom/, path)
      return true
    })
  }

  it("hands on the subgraph's data and errors as they came", async () => {
    const answer = await send('/ok')
    assert.deepEqual(answer.data, { ok: true })
    assert.deepEqual(answer.errors?.map((e) => e.message), ['partial'])
  })

  it('SUBGRAPH_UNAVAILABLE for a 5xx, an answer that is not JSON, or JSON that is not a GraphQL response', async () => {
    for (const path of ['/500', '/html', '/array']) await failsWith(path, 'SUBGRAPH_UNAVAILABLE')
  })

  it('RESPONSE_TOO_LARGE past MAX_RESPONSE_BYTES, SUBGRAPH_TIMEOUT past its time', async () => {
    await failsWith('/large', 'RESPONSE_TOO_LARGE')
    await failsWith('/slow', 'SUBGRAPH_TIMEOUT')
  })

  it('SUBGRAPH_UNAVAILABLE when nothing listens', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const dataSource = createSubgraphDataSource({ name: 'catalog', url: `http://127.0.0.1:${port}/graphql`, signingSecret: 's'.repeat(32), timeoutMs: 200, maxResponseBytes: 1000 })
    await assert.rejects(
      dataSource.process({ kind: GraphQLDataSourceRequestKind.HEALTH_CHECK, request: { query: '{ __typename }' }, context: {} }),
      (error: { extensions?: Record<string, unknown> }) => error.extensions?.['code'] === 'SUBGRAPH_UNAVAILABLE',
    )
  })
})
