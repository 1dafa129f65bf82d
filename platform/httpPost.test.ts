import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { headerOf, post, ResponseTooLargeError } from './httpPost.ts'

describe('post', () => {
  let server: Server
  let base: string
  let chunksWritten = 0
  const received: { method: string; headers: Record<string, unknown>; body: string }[] = []
  before(async () => {
    server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        received.push({ method: request.method ?? '', headers: request.headers, body })
        const url = new URL(request.url ?? '/', 'http://x')
        const size = Number(url.searchParams.get('size'))
        if (url.pathname === '/echo') {
          response.writeHead(201, { 'content-type': 'application/json', 'cache-control': 'public, max-age=5' }).end(JSON.stringify({ got: body }))
        } else if (url.pathname === '/declared') {
          response.writeHead(200, { 'content-length': String(size) }).end('x'.repeat(size))
        } else if (url.pathname === '/slow') {
          setTimeout(() => response.end('late'), 2000).unref()
        } else {
          // chunked, no Content-Length: a 1 KiB chunk at a time, for as long as the reader takes them
          response.writeHead(200)
          chunksWritten = 0
          const write = () => {
            while (chunksWritten * 1024 < size) {
              chunksWritten++
              if (!response.write('y'.repeat(1024))) return void response.once('drain', write)
            }
            response.end()
          }
          response.on('close', () => response.destroy())
          write()
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('sends the body and headers as given and reads the status, headers and body', async () => {
    const answer = await post(`${base}/echo?x=1`, { 'content-type': 'application/json', 'x-test': 'yes' }, '{"a":1}', { maxBytes: 1000 })
    assert.equal(answer.status, 201)
    assert.equal(headerOf(answer, 'cache-control'), 'public, max-age=5')
    assert.equal(headerOf(answer, 'x-absent'), null)
    assert.deepEqual(JSON.parse(answer.body.toString()), { got: '{"a":1}' })
    const last = received.at(-1)
    assert.equal(last?.method, 'POST')
    assert.equal(last?.headers['x-test'], 'yes')
  })

  it('reads a body of exactly the cap, and refuses a declared length over it without reading it', async () => {
    assert.equal((await post(`${base}/declared?size=100`, {}, '', { maxBytes: 100 })).body.length, 100)
    await assert.rejects(post(`${base}/declared?size=5000`, {}, '', { maxBytes: 4999 }), ResponseTooLargeError)
  })

  it('stops reading an undeclared body once it passes the cap', async () => {
    const size = 10 * 1024 * 1024
    await assert.rejects(post(`${base}/streamed?size=${size}`, {}, '', { maxBytes: 10_000 }), ResponseTooLargeError)
    // the server was cut off long before it could write all of it
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.ok(chunksWritten * 1024 < size / 2, `${chunksWritten} KiB written`)
    // and the next call gets a fresh answer on the same agent
    assert.equal((await post(`${base}/streamed?size=4096`, {}, '', { maxBytes: 4096 })).body.length, 4096)
  })

  it('rejects with the signal', async () => {
    const controller = new AbortController()
    const call = post(`${base}/slow`, {}, '', { maxBytes: 100, signal: controller.signal })
    setTimeout(() => controller.abort(new Error('stop')), 20)
    await assert.rejects(call, /stop|abort/i)
  })

  it("rejects a refused connection with the socket's code, so a caller knows nothing was sent", async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    await assert.rejects(post(`http://127.0.0.1:${port}/graphql`, {}, '', { maxBytes: 100 }), (error: { code?: string }) => error.code === 'ECONNREFUSED')
  })
})
