import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { readCappedResponse, ResponseTooLargeError } from './readCappedResponse.ts'

describe('readCappedResponse', () => {
  let server: Server
  let base: string
  let chunksWritten = 0
  before(async () => {
    server = createServer((request, response) => {
      const size = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('size'))
      if (request.url?.startsWith('/declared')) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(size) })
        response.end('x'.repeat(size))
        return
      }
      // chunked, no Content-Length: a 1 KiB chunk at a time, for as long as the reader takes them
      response.writeHead(200, { 'content-type': 'application/json' })
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
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('returns a response over the bytes read, with its status and headers', async () => {
    const response = await readCappedResponse(await fetch(`${base}/declared?size=100`), 100)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/json')
    assert.equal(await response.text(), 'x'.repeat(100))
  })

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    await assert.rejects(readCappedResponse(await fetch(`${base}/declared?size=5000`), 4999), ResponseTooLargeError)
  })

  it('refuses a streamed body once the bytes counted pass the cap, and stops reading it', async () => {
    const size = 64 * 1024 * 1024
    await assert.rejects(readCappedResponse(await fetch(`${base}/streamed?size=${size}`), 10_000), (error: Error) => {
      assert.ok(error instanceof ResponseTooLargeError)
      assert.doesNotMatch(error.message, /yyyy/)
      return true
    })
    // the server was stopped long before it wrote everything
    assert.ok(chunksWritten * 1024 < size / 2, `${chunksWritten} KiB written`)
  })

  it('reads a streamed body exactly at the cap', async () => {
    const response = await readCappedResponse(await fetch(`${base}/streamed?size=4096`), 4096)
    assert.equal((await response.text()).length, 4096)
  })
})
