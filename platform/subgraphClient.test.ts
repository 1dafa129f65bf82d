import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { freePort } from '../bench/processes.ts'
import { createSubgraphClient } from './subgraphClient.ts'
import { testConfig } from './testing.ts'
import { ANONYMOUS, VIEWER_HEADER } from './viewer.ts'

describe("a service's client of another subgraph", () => {
  let calls = 0
  let status = 200
  const server = createServer((request, response) => {
    calls++
    assert.ok(request.headers[VIEWER_HEADER], 'signed')
    request.resume()
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end('{"data":{"ok":true}}')
  })
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)))
  after(() => server.close())
  const live = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
  const clientOf = (urls: readonly string[]) =>
    createSubgraphClient({ name: 'inventory', urls: () => urls, signingSecret: testConfig.viewerSigningSecret, viewer: ANONYMOUS, timeoutMs: 1000 })

  it('sends a write to the next replica when the first refuses the connection, and only then', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/graphql`
    const client = clientOf([dead, live()])
    const before = calls
    assert.deepEqual((await client.request('mutation { ok }', {})).data, { ok: true })
    assert.equal(calls - before, 1)
    client.close()

    status = 503
    const once = clientOf([live(), live().replace('127.0.0.1', 'localhost')])
    const start = calls
    await assert.rejects(once.request('mutation { ok }', {}), /inventory answered HTTP 503/)
    assert.equal(calls - start, 1, 'a write the replica got is never sent again')
    once.close()
    status = 200
  })
})
