import { post, ResponseTooLargeError, type PostAnswer } from '../../../platform/httpPost.ts'
import {
  acknowledgementProblems,
  SupplierUnreachableError,
  type SupplierAcknowledgement,
  type SupplierAdapter,
  type SupplierCancellationAnswer,
} from './supplier.ts'

/** The header that carries SUPPLIER_API_KEY. */
export const SUPPLIER_KEY_HEADER = 'x-supplier-key'
/** An acknowledgement is a few hundred bytes; anything much larger is not one. */
const MAX_ANSWER_BYTES = 64 * 1024

export interface HttpSupplierOptions {
  /** The supplier's base URL (SUPPLIER_URL); orders go to `<url>/orders`, cancellations to `<url>/orders/<reference>/cancel`. */
  readonly url: string
  /** Sent as `x-supplier-key` when set (SUPPLIER_API_KEY). */
  readonly apiKey: string | null
}

/**
 * The supplier's ordering API over HTTP: `POST <url>/orders` with the order as JSON and its key in
 * `Idempotency-Key` too. The answer:
 *
 * - 200 with `{ outcome: 'accepted', supplierReference, lines: [{ sku, quantity }], promisedAt }`
 *   or `{ outcome: 'rejected', code, message }`: the acknowledgement (checked against the order);
 * - another 4xx: the supplier refuses the request itself (a wrong key, an order it cannot read),
 *   taken as a rejection with code `HTTP_<status>`: asking again would get the same;
 * - a 5xx, a 429, a malformed body, a failed connection: SupplierUnreachableError (ask again).
 *
 * Errors say what happened in words of ours: the supplier's URL never reaches a message, a log
 * field staff read, or the graph.
 */
export function httpSupplier(options: HttpSupplierOptions): SupplierAdapter {
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`
  const endpoint = new URL('orders', base)
  const send = (url: URL, key: string, body: unknown, signal: AbortSignal | undefined) => postJson(url, key, body, signal, options.apiKey)
  return {
    async placeOrder(order) {
      const { signal, ...body } = order
      const { status, text } = await send(endpoint, order.idempotencyKey, body, signal)
      if (status !== 200) return { outcome: 'rejected', code: `HTTP_${status}`, message: `the supplier refused the request (HTTP ${status})` }
      const ack = acknowledgementOf(text)
      const problems = ack ? acknowledgementProblems(order, ack) : ['not an acknowledgement']
      if (!ack || problems.length > 0) throw new SupplierUnreachableError(`the supplier's answer is malformed: ${problems.join('; ')}`)
      return ack
    },
    /**
     * `POST <url>/orders/<supplierReference>/cancel`, answered as an order is: a 200 with
     * `{ outcome: 'cancelled' }` or `{ outcome: 'refused', code, message }`, another 4xx a refusal
     * `HTTP_<status>`, the rest no answer.
     */
    async cancelOrder(cancellation) {
      const { signal, ...body } = cancellation
      const url = new URL(`orders/${encodeURIComponent(cancellation.supplierReference)}/cancel`, base)
      const { status, text } = await send(url, cancellation.idempotencyKey, body, signal)
      if (status !== 200) return { outcome: 'refused', code: `HTTP_${status}`, message: `the supplier refused the request (HTTP ${status})` }
      const answer = cancellationAnswerOf(text)
      if (!answer) throw new SupplierUnreachableError("the supplier's answer is malformed: not an answer to a cancellation")
      return answer
    },
  }
}

/**
 * One POST with its key in `Idempotency-Key`: the status and body of an answer the caller reads
 * (a 200 or another 4xx), or SupplierUnreachableError for no answer (a failed connection, an
 * unreadable body, a 5xx or 429).
 */
async function postJson(url: URL, key: string, body: unknown, signal: AbortSignal | undefined, apiKey: string | null): Promise<{ status: number; text: string }> {
  const headers = { 'content-type': 'application/json', 'idempotency-key': key, ...(apiKey ? { [SUPPLIER_KEY_HEADER]: apiKey } : {}) }
  let answer: PostAnswer
  try {
    answer = await post(url.href, headers, JSON.stringify(body), { maxBytes: MAX_ANSWER_BYTES, ...(signal ? { signal } : {}) })
  } catch (error) {
    if (error instanceof ResponseTooLargeError) throw new SupplierUnreachableError("the supplier's answer could not be read", { cause: error })
    throw new SupplierUnreachableError(connectionFailure(error), { cause: error })
  }
  if (answer.status >= 500 || answer.status === 429) throw new SupplierUnreachableError(`the supplier answered HTTP ${answer.status}`)
  return { status: answer.status, text: answer.body.toString('utf8') }
}

/** The JSON object in a body, or null when it holds none. */
function objectIn(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** A refusal's code and message as the supplier sent them, bounded. */
const refusalIn = (answer: Record<string, unknown>, fallbackCode: string) => ({
  code: String(answer['code'] ?? fallbackCode).slice(0, 64),
  message: String(answer['message'] ?? '').slice(0, 500),
})

/** The answer to a cancellation in a 200 body, or null when it is not one. */
function cancellationAnswerOf(text: string): SupplierCancellationAnswer | null {
  const answer = objectIn(text)
  if (answer?.['outcome'] === 'cancelled') return { outcome: 'cancelled' }
  if (answer?.['outcome'] !== 'refused') return null
  return { outcome: 'refused', ...refusalIn(answer, 'REFUSED') }
}

/** The acknowledgement in a 200 body, or null when it is not one. */
function acknowledgementOf(text: string): SupplierAcknowledgement | null {
  const answer = objectIn(text)
  if (!answer) return null
  if (answer['outcome'] === 'rejected') return { outcome: 'rejected', ...refusalIn(answer, 'REJECTED') }
  const lines = answer['lines']
  if (answer['outcome'] !== 'accepted' || typeof answer['supplierReference'] !== 'string' || !Array.isArray(lines)) return null
  const promisedAt = answer['promisedAt']
  if (promisedAt !== null && promisedAt !== undefined && typeof promisedAt !== 'string') return null
  const parsed = lines.map((line: unknown) => {
    const l = (line ?? {}) as Record<string, unknown>
    return { sku: String(l['sku']), quantity: Number(l['quantity']) }
  })
  return { outcome: 'accepted', supplierReference: answer['supplierReference'].slice(0, 200), lines: parsed, promisedAt: promisedAt ?? null }
}

/** What a failed fetch means, without the address it names (`connect ECONNREFUSED 10.0.0.5:443`). */
function connectionFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'AbortError') return 'the supplier did not answer in time'
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | null
  const code = failure?.code ?? failure?.cause?.code
  switch (code) {
    case 'ECONNREFUSED':
      return 'the supplier refused the connection'
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection to the supplier was cut'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the supplier\'s host could not be resolved'
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'the connection to the supplier timed out'
    default:
      return 'the supplier could not be reached'
  }
}
