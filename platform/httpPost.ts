/**
 * The POST every service-to-service call makes (the gateway's subgraph fetches, a service's call to
 * another subgraph or to the supplier): undici's `request` over one keep-alive agent per process, the answer read into
 * memory up to a cap. Not `fetch`: for a small JSON body on a kept-alive socket, fetch's Request,
 * Response, Headers and web streams cost more CPU than the call itself (a loaded gateway spent
 * about a third of its time there; bench/README.md).
 */
import { Agent } from 'undici'

/** A response body over the cap: nothing of it is kept, and nothing of it is reported. */
export class ResponseTooLargeError extends Error {
  readonly maxBytes: number
  constructor(maxBytes: number) {
    super(`response body over ${maxBytes} bytes`)
    this.name = 'ResponseTooLargeError'
    this.maxBytes = maxBytes
  }
}

/** An answer read whole: its status, its headers (lower-case names) and its body's bytes. */
export interface PostAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: Buffer
}

export interface PostOptions {
  /** Aborts the call (its timeout, its caller leaving): the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal
  /** The largest body read; more is ResponseTooLargeError, the rest of the body discarded. */
  readonly maxBytes: number
}

// one pool of kept-alive sockets per origin, shared by every caller in the process; an idle socket
// is closed after 10 s (a subgraph's own keep-alive is longer: the caller closes first, never racing
// a server that closes a socket as a request goes out on it)
const agent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 10_000 })

interface Target {
  readonly origin: string
  readonly path: string
}
const targets = new Map<string, Target>()
const targetOf = (url: string): Target => {
  let target = targets.get(url)
  if (!target) {
    const parsed = new URL(url)
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` }
    if (targets.size < 1000) targets.set(url, target)
  }
  return target
}

/** Value of a header in `headers` (names lower-case), the first when repeated. */
export const headerOf = (answer: PostAnswer, name: string): string | null => {
  const value = answer.headers[name]
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
}

/**
 * POSTs `body` to `url` with `headers` and reads the answer, never more than `maxBytes` of it: a
 * declared Content-Length over the cap is refused before reading, and the bytes are counted as
 * they arrive. Rejects on a connection failure (the error's `code`, e.g. ECONNREFUSED, tells
 * whether anything was sent), on the signal, and with ResponseTooLargeError.
 */
export async function post(url: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostAnswer> {
  const { origin, path } = targetOf(url)
  const answer = await agent.request({ origin, path, method: 'POST', headers, body, ...(options.signal ? { signal: options.signal } : {}) })
  // a body given up on is destroyed, which makes it emit an abort error: heard here, or it would be uncaught
  const discard = () => {
    answer.body.on('error', () => {})
    answer.body.destroy()
  }
  const declared = Number(answer.headers['content-length'] ?? 0)
  if (declared > options.maxBytes) {
    discard()
    throw new ResponseTooLargeError(options.maxBytes)
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of answer.body as AsyncIterable<Buffer>) {
    total += chunk.byteLength
    if (total > options.maxBytes) {
      discard()
      throw new ResponseTooLargeError(options.maxBytes)
    }
    chunks.push(chunk)
  }
  return { status: answer.statusCode, headers: answer.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) }
}

/** Closes the kept-alive sockets (a process that wants to exit without waiting for them to idle out). */
export const closeConnections = (): Promise<void> => agent.close()
