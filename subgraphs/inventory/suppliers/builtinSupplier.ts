import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SUPPLIER_KEY_HEADER } from './httpSupplier.ts'
import type { SupplierAcknowledgement, SupplierOrderLine } from './supplier.ts'

/** How the built-in supplier answers an order, decided by its idempotency key alone. */
export type BuiltinBehaviour = 'accept' | 'partial' | 'late' | 'reject'

const MAX_BODY_BYTES = 64 * 1024
const DAY_MS = 86_400_000

/**
 * From the key's SHA-256: 60 % accept every unit, 20 % accept two thirds of each line (rounded
 * down), 15 % accept every unit but answer the first request only after `lateDelayMs`, 5 % reject.
 */
export function builtinBehaviourOf(idempotencyKey: string): BuiltinBehaviour {
  const share = createHash('sha256').update(idempotencyKey).digest().readUInt32BE(0) / 2 ** 32
  if (share < 0.6) return 'accept'
  if (share < 0.8) return 'partial'
  if (share < 0.95) return 'late'
  return 'reject'
}

/** The first key `<prefix>-<n>` the built-in supplier answers with `behaviour` (tests and demos pick their case). */
export function builtinKeyWith(behaviour: BuiltinBehaviour, prefix: string): string {
  for (let n = 0; ; n++) if (builtinBehaviourOf(`${prefix}-${n}`) === behaviour) return `${prefix}-${n}`
}

export interface BuiltinSupplierOptions {
  /** How long the first answer to a `late` order takes: longer than the adapter's timeout, so its retry finds the stored answer. */
  readonly lateDelayMs: number
  /** When set, requests must carry it in `x-supplier-key` (else 401). */
  readonly apiKey?: string | null
}

export interface BuiltinSupplier {
  /** Listens (again, after `close`: orders are kept) and returns the base URL to give the adapter. */
  listen(host: string, port: number): Promise<string>
  /** Stops answering (connections refused) until `listen`; what is open is cut. */
  close(): Promise<void>
  /** Requests received (every retry counts). */
  readonly requests: number
  /** Distinct orders taken: one per idempotency key, however often it was sent. */
  readonly distinctOrders: number
  /** The answer stored for a key, if the order was taken. */
  answerOf(idempotencyKey: string): SupplierAcknowledgement | undefined
}

interface StoredOrder {
  readonly fingerprint: string
  readonly answer: SupplierAcknowledgement
}

/**
 * A deterministic supplier with the HTTP API httpSupplier.ts speaks (`POST /orders`), for
 * development, demos and tests: what it answers depends on the order's key only
 * (`builtinBehaviourOf`), and it stores each answer when the order arrives, so the same key gets
 * the same answer, a late first answer included. Orders live in memory: a restarted process
 * forgets them (a real supplier would not), but `close` and `listen` again keep them.
 */
export function createBuiltinSupplier(options: BuiltinSupplierOptions): BuiltinSupplier {
  const orders = new Map<string, StoredOrder>()
  let requests = 0
  let server: Server | null = null
  const waiting = new Set<NodeJS.Timeout>()

  const send = (response: ServerResponse, status: number, body: unknown) => {
    if (response.destroyed) return
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

  const keyMatches = (given: string | string[] | undefined) => {
    if (!options.apiKey) return true
    if (typeof given !== 'string') return false
    const a = Buffer.from(given)
    const b = Buffer.from(options.apiKey)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (request.method !== 'POST' || request.url !== '/orders') return send(response, 404, { error: 'not found' })
    requests++
    if (!keyMatches(request.headers[SUPPLIER_KEY_HEADER])) return send(response, 401, { error: 'unknown key' })
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > MAX_BODY_BYTES) return send(response, 413, { error: 'order too large' })
      chunks.push(chunk)
    }
    const order = orderOf(Buffer.concat(chunks).toString('utf8'))
    if (!order) return send(response, 400, { error: 'not an order: idempotencyKey and 1 to 250 lines of sku and positive quantity' })
    const fingerprint = JSON.stringify(order.lines)
    const stored = orders.get(order.idempotencyKey)
    if (stored) {
      if (stored.fingerprint !== fingerprint) return send(response, 409, { error: 'this key was used for another order' })
      return send(response, 200, stored.answer)
    }
    const behaviour = builtinBehaviourOf(order.idempotencyKey)
    const answer = answerFor(order, behaviour)
    // taken when it arrives: a retry while the first answer is still on its way gets this answer
    orders.set(order.idempotencyKey, { fingerprint, answer })
    if (behaviour !== 'late') return send(response, 200, answer)
    const timer = setTimeout(() => {
      waiting.delete(timer)
      send(response, 200, answer)
    }, options.lateDelayMs)
    waiting.add(timer)
  }

  return {
    async listen(host, port) {
      if (server) throw new Error('the built-in supplier is already listening')
      const listening = createServer((request, response) => {
        handle(request, response).catch(() => send(response, 500, { error: 'internal error' }))
      })
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject)
        listening.listen(port, host, () => resolve())
      })
      server = listening
      const address = listening.address() as AddressInfo
      return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
    },
    async close() {
      const closing = server
      server = null
      for (const timer of waiting) clearTimeout(timer)
      waiting.clear()
      if (!closing) return
      await new Promise<void>((resolve) => {
        closing.close(() => resolve())
        closing.closeAllConnections()
      })
    },
    get requests() {
      return requests
    },
    get distinctOrders() {
      return orders.size
    },
    answerOf: (key) => orders.get(key)?.answer,
  }
}

interface BuiltinOrder {
  readonly idempotencyKey: string
  readonly requestedArrival: string | null
  readonly lines: readonly SupplierOrderLine[]
}

function orderOf(text: string): BuiltinOrder | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  const order = (value ?? {}) as Record<string, unknown>
  const { idempotencyKey, lines, requestedArrival } = order
  if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > 200) return null
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > 250) return null
  const parsed: SupplierOrderLine[] = []
  for (const line of lines as unknown[]) {
    const { sku, quantity } = (line ?? {}) as Record<string, unknown>
    if (typeof sku !== 'string' || sku.length === 0 || !Number.isSafeInteger(quantity) || (quantity as number) <= 0) return null
    parsed.push({ sku, quantity: quantity as number })
  }
  const arrival = typeof requestedArrival === 'string' && !Number.isNaN(Date.parse(requestedArrival)) ? requestedArrival : null
  return { idempotencyKey, requestedArrival: arrival, lines: parsed }
}

function answerFor(order: BuiltinOrder, behaviour: BuiltinBehaviour): SupplierAcknowledgement {
  if (behaviour === 'reject') return { outcome: 'rejected', code: 'DISCONTINUED', message: 'the supplier no longer makes this' }
  const reference = `SUP-${createHash('sha256').update(order.idempotencyKey).digest('hex').slice(0, 12).toUpperCase()}`
  const lines = order.lines.map((l) => ({ sku: l.sku, quantity: behaviour === 'partial' ? Math.floor((l.quantity * 2) / 3) : l.quantity }))
  // the date asked for, else a week from the day the order arrived; a short order ships two days later
  const asked = order.requestedArrival ? Date.parse(order.requestedArrival) : Math.floor(Date.now() / DAY_MS) * DAY_MS + 7 * DAY_MS
  const promisedAt = new Date(asked + (behaviour === 'partial' ? 2 * DAY_MS : 0)).toISOString()
  return { outcome: 'accepted', supplierReference: reference, lines, promisedAt }
}
