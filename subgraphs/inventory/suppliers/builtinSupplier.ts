import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SUPPLIER_KEY_HEADER } from './httpSupplier.ts'
import type { SupplierAcknowledgement, SupplierCancellationAnswer, SupplierOrderLine } from './supplier.ts'

/** How the built-in supplier answers an order, decided by its idempotency key alone. */
export type BuiltinBehaviour = 'accept' | 'partial' | 'late' | 'reject'
/** How it answers a cancellation of an order it accepted, decided by the order's key alone: `shipped` is refused. */
export type BuiltinCancelBehaviour = 'cancel' | 'shipped'

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

/**
 * From the order key's SHA-256, other bits than `builtinBehaviourOf` reads (so the two are
 * independent): 85 % of accepted orders can be cancelled, 15 % have "shipped" and cannot.
 */
export function builtinCancelBehaviourOf(orderIdempotencyKey: string): BuiltinCancelBehaviour {
  const share = createHash('sha256').update(orderIdempotencyKey).digest().readUInt32BE(4) / 2 ** 32
  return share < 0.85 ? 'cancel' : 'shipped'
}

/**
 * The first key `<prefix>-<n>` the built-in supplier answers with `behaviour` (tests and demos pick
 * their case), and whose cancellation it answers with `cancel` when given.
 */
export function builtinKeyWith(behaviour: BuiltinBehaviour, prefix: string, cancel?: BuiltinCancelBehaviour): string {
  for (let n = 0; ; n++) {
    const key = `${prefix}-${n}`
    if (builtinBehaviourOf(key) === behaviour && (cancel === undefined || builtinCancelBehaviourOf(key) === cancel)) return key
  }
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
  /** Distinct cancellations answered: one per cancellation key, however often it was sent. */
  readonly distinctCancellations: number
  /** Whether the order placed under this key has been cancelled. */
  isCancelled(idempotencyKey: string): boolean
}

interface StoredOrder {
  readonly fingerprint: string
  readonly answer: SupplierAcknowledgement
}

interface StoredCancellation {
  readonly supplierReference: string
  readonly answer: SupplierCancellationAnswer
}

const CANCEL_PATH = /^\/orders\/([^/]+)\/cancel$/

/**
 * A deterministic supplier with the HTTP API httpSupplier.ts speaks (`POST /orders`,
 * `POST /orders/<reference>/cancel`), for development, demos and tests: what it answers depends on
 * the order's key only (`builtinBehaviourOf`, `builtinCancelBehaviourOf`), and it stores each
 * answer when the request arrives, so the same key gets the same answer, a late first answer
 * included. Orders live in memory: a restarted process forgets them (a real supplier would not),
 * but `close` and `listen` again keep them.
 */
export function createBuiltinSupplier(options: BuiltinSupplierOptions): BuiltinSupplier {
  const orders = new Map<string, StoredOrder>()
  /** The order key of each reference it gave, to find the order a cancellation names. */
  const references = new Map<string, string>()
  const cancellations = new Map<string, StoredCancellation>()
  const cancelled = new Set<string>()
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

  /** The body, or null when it is larger than an order or a cancellation can be. */
  async function bodyOf(request: IncomingMessage): Promise<string | null> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > MAX_BODY_BYTES) return null
      chunks.push(chunk)
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const cancelPath = request.url ? CANCEL_PATH.exec(request.url) : null
    if (request.method !== 'POST' || (request.url !== '/orders' && !cancelPath)) return send(response, 404, { error: 'not found' })
    requests++
    if (!keyMatches(request.headers[SUPPLIER_KEY_HEADER])) return send(response, 401, { error: 'unknown key' })
    const text = await bodyOf(request)
    if (text === null) return send(response, 413, { error: 'request too large' })
    if (cancelPath) return handleCancel(response, referenceOf(cancelPath[1] ?? ''), text)
    const order = orderOf(text)
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
    if (answer.outcome === 'accepted') references.set(answer.supplierReference, order.idempotencyKey)
    if (behaviour !== 'late') return send(response, 200, answer)
    const timer = setTimeout(() => {
      waiting.delete(timer)
      send(response, 200, answer)
    }, options.lateDelayMs)
    waiting.add(timer)
  }

  /**
   * A cancellation, answered once per its key: the order's reference must be one it gave, for the
   * order key the request names (else UNKNOWN_ORDER); a `shipped` order is refused
   * (ALREADY_SHIPPED); an order cancelled already, under another key, is cancelled.
   */
  function handleCancel(response: ServerResponse, reference: string | null, text: string) {
    const cancellation = cancellationOf(text)
    if (!cancellation || reference === null) return send(response, 400, { error: 'not a cancellation: idempotencyKey and orderIdempotencyKey' })
    const stored = cancellations.get(cancellation.idempotencyKey)
    if (stored) {
      if (stored.supplierReference !== reference) return send(response, 409, { error: 'this key was used for another cancellation' })
      return send(response, 200, stored.answer)
    }
    const orderKey = references.get(reference)
    let answer: SupplierCancellationAnswer
    if (orderKey === undefined || orderKey !== cancellation.orderIdempotencyKey) {
      answer = { outcome: 'refused', code: 'UNKNOWN_ORDER', message: 'the supplier has no order with this reference' }
    } else if (!cancelled.has(orderKey) && builtinCancelBehaviourOf(orderKey) === 'shipped') {
      answer = { outcome: 'refused', code: 'ALREADY_SHIPPED', message: 'the order has already shipped' }
    } else {
      cancelled.add(orderKey)
      answer = { outcome: 'cancelled' }
    }
    cancellations.set(cancellation.idempotencyKey, { supplierReference: reference, answer })
    return send(response, 200, answer)
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
    get distinctCancellations() {
      return cancellations.size
    },
    isCancelled: (key) => cancelled.has(key),
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

/** The reference in a cancellation's path, decoded; null when it does not decode. */
function referenceOf(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded)
  } catch {
    return null
  }
}

function cancellationOf(text: string): { readonly idempotencyKey: string; readonly orderIdempotencyKey: string } | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  const { idempotencyKey, orderIdempotencyKey } = (value ?? {}) as Record<string, unknown>
  const keyOk = (key: unknown): key is string => typeof key === 'string' && key.length > 0 && key.length <= 200
  return keyOk(idempotencyKey) && keyOk(orderIdempotencyKey) ? { idempotencyKey, orderIdempotencyKey } : null
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
