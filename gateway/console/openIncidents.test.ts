// What the overview says of a service whose incidents cannot be read, on real sockets: a replica
// that accepts the connection and never answers costs the timeout and no more, a port nobody
// listens on is "did not answer", and neither the URL nor the socket's error reaches the answer.
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { gatherOpenIncidents } from './openIncidents.ts'

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))

describe('open incidents of services that cannot say', () => {
  const sockets: Socket[] = []
  // reads the request and never answers: a stuck replica
  const silent = createServer((socket) => void sockets.push(socket.on('data', () => {})))
  let silentUrl = ''
  let closedUrl = ''

  before(async () => {
    silentUrl = `http://127.0.0.1:${await listen(silent)}/graphql`
    const closed = createServer()
    closedUrl = `http://127.0.0.1:${await listen(closed)}/graphql`
    await new Promise((resolve) => closed.close(resolve))
  })
  after(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })

  it('lists a replica that never answers as timed out, within the timeout, and one nobody listens on as not answering', async () => {
    const started = performance.now()
    const answer = await gatherOpenIncidents({
      replicas: new Map([['finance', [silentUrl]], ['inventory', [closedUrl]], ['catalog', [closedUrl]]]),
      signingSecret: 'test-secret',
      timeoutMs: 300,
    })
    const elapsed = performance.now() - started
    assert.ok(elapsed >= 290 && elapsed < 1500, `took ${Math.round(elapsed)} ms`)
    assert.deepEqual(answer, {
      incidents: [],
      sources: [
        { service: 'finance', available: false, reason: 'timed out' },
        { service: 'inventory', available: false, reason: 'did not answer' },
      ],
    })
    assert.doesNotMatch(JSON.stringify(answer), /127\.0\.0\.1|ECONN|graphql/)
  })

  it('asks the next replica when the first refuses the connection, within the same timeout', async () => {
    const answer = await gatherOpenIncidents({ replicas: new Map([['inventory', [closedUrl, silentUrl]]]), signingSecret: 'test-secret', timeoutMs: 200 })
    assert.deepEqual(answer.sources, [{ service: 'inventory', available: false, reason: 'timed out' }])
  })
})
