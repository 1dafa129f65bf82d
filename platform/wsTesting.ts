/**
 * Test support for graphql-ws: a raw socket that records what the server says and how it closes
 * (protocol cases), and a subscription that collects its results (feature cases).
 */
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws'
import WebSocket from 'ws'

export interface ClosedWith {
  readonly code: number
  readonly reason: string
}

/** A graphql-transport-ws socket driven message by message. */
export interface RawSocket {
  readonly messages: Record<string, any>[]
  send(message: unknown): void
  sendRaw(data: string): void
  /** The next message from the server (waits up to `timeoutMs`). */
  nextMessage(timeoutMs?: number): Promise<Record<string, any>>
  readonly closed: Promise<ClosedWith>
  close(): void
}

export async function openRawSocket(url: string, protocol = 'graphql-transport-ws'): Promise<RawSocket> {
  const socket = new WebSocket(url, protocol)
  const messages: Record<string, any>[] = []
  let waiter: (() => void) | null = null
  let taken = 0
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Record<string, any>)
    waiter?.()
  })
  let isClosed = false
  const closed = new Promise<ClosedWith>((resolve) =>
    socket.on('close', (code, reason) => {
      isClosed = true
      resolve({ code, reason: String(reason) })
    }),
  )
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
    socket.once('close', () => resolve())
  })
  return {
    messages,
    send: (message) => socket.send(JSON.stringify(message)),
    sendRaw: (data) => socket.send(data),
    async nextMessage(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      while (messages.length <= taken) {
        if (Date.now() > deadline || isClosed) {
          const why = isClosed ? `the socket closed (${JSON.stringify(await closed)})` : `no message within ${timeoutMs} ms`
          throw new Error(`${why}; got ${JSON.stringify(messages)}`)
        }
        await new Promise<void>((resolve) => {
          waiter = resolve
          setTimeout(resolve, 50)
        })
        waiter = null
      }
      return messages[taken++] as Record<string, any>
    },
    closed,
    close: () => socket.close(),
  }
}

/** A subscription that collects every result it receives. */
export interface Collected<T = Record<string, any>> {
  readonly results: FormattedExecutionResult<T, unknown>[]
  /** Waits until at least `count` results arrived; returns them all. */
  waitFor(count: number, timeoutMs?: number): Promise<FormattedExecutionResult<T, unknown>[]>
  /** Settles when the server completes the subscription (or with its error). */
  readonly done: Promise<void>
  stop(): void
}

export function wsClient(url: string, connectionParams: Record<string, unknown>, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: true,
    retryAttempts: options.retryAttempts ?? 0,
    shouldRetry: () => (options.retryAttempts ?? 0) > 0,
    retryWait: async () => new Promise((resolve) => setTimeout(resolve, 100)),
  })
}

export function collect<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const results: FormattedExecutionResult<T, unknown>[] = []
  let wake: (() => void) | null = null
  let stop: () => void = () => {}
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          results.push(result)
          wake?.()
        },
        error: (error) => {
          wake?.()
          // an `error` message arrives as its list of GraphQL errors; a closed socket as a CloseEvent
          reject(error)
        },
        complete: () => {
          wake?.()
          resolve()
        },
      },
    )
  })
  done.catch(() => {})
  return {
    results,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (results.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} results within ${timeoutMs} ms, got ${results.length}: ${JSON.stringify(results)}`)
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 50)
        })
        wake = null
      }
      return results
    },
    done,
    stop: () => stop(),
  }
}
