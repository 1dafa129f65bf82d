/**
 * A supplier as inventory sees it: what an adapter for a real supplier's ordering API implements.
 * Every order carries an idempotency key: the supplier answers a repeated key with its first
 * answer and takes the order once, which is what makes a retry after a timeout safe.
 */

export interface SupplierOrderLine {
  readonly sku: string
  /** Units asked for; positive. */
  readonly quantity: number
}

export interface SupplierOrder {
  /** Stable across every retry of this order: the replenishment's id (a new one only after a rejection). */
  readonly idempotencyKey: string
  /** The supplier id of the policy (one adapter may front several supplier accounts). */
  readonly supplierId: string
  readonly destinationLocationId: string
  /** When we would like the units, RFC 3339; null: as soon as possible. */
  readonly requestedArrival: string | null
  readonly lines: readonly SupplierOrderLine[]
  /** Aborted when the caller stops waiting (resilientSupplier.ts's timeout): the adapter hands it to its HTTP client. */
  readonly signal?: AbortSignal
}

/**
 * The supplier's answer. `accepted`: the units it will ship per line (each 0 to the units asked,
 * fewer when it is short), and when; `rejected`: it takes none of the order, with its reason.
 */
export type SupplierAcknowledgement =
  | {
      readonly outcome: 'accepted'
      readonly supplierReference: string
      readonly lines: readonly SupplierOrderLine[]
      /** RFC 3339; null when the supplier gave no date. */
      readonly promisedAt: string | null
    }
  | { readonly outcome: 'rejected'; readonly code: string; readonly message: string }

/**
 * No answer: the attempt timed out, the connection failed, or the supplier answered something other
 * than an acknowledgement (a 5xx, a malformed body). Whether it took the order is unknown: ask
 * again with the SAME idempotency key. The message is ours, never the supplier's address.
 */
export class SupplierUnreachableError extends Error {
  override readonly name = 'SupplierUnreachableError'
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options)
  }
}

/**
 * The supplier is taken as down (its circuit breaker is open), or the retries of one placement are
 * spent: ask again with the same key after `retryAfterMs`.
 */
export class SupplierUnavailableError extends Error {
  override readonly name = 'SupplierUnavailableError'
  constructor(message: string, readonly retryAfterMs: number, options?: { readonly cause?: unknown }) {
    super(message, options)
  }
}

/**
 * A request to call off an order the supplier accepted. Its key is stable per cancellation (one
 * per replenishment: `cancel:<id>`), so a retry after no answer, or a second staff request, reaches
 * the supplier under the same key and is answered as the first.
 */
export interface SupplierCancellation {
  readonly idempotencyKey: string
  readonly supplierId: string
  /** What the supplier called the order when it accepted it. */
  readonly supplierReference: string
  /** The key the order was placed under: the supplier checks the reference is that order's. */
  readonly orderIdempotencyKey: string
  /** Aborted when the caller stops waiting, as for `SupplierOrder`. */
  readonly signal?: AbortSignal
}

/**
 * The supplier's answer to a cancellation. `cancelled`: it will ship nothing more (an order it had
 * cancelled already answers the same); `refused`: the order stands, with its reason (it shipped,
 * or it does not know the reference).
 */
export type SupplierCancellationAnswer =
  | { readonly outcome: 'cancelled' }
  | { readonly outcome: 'refused'; readonly code: string; readonly message: string }

export interface SupplierAdapter {
  placeOrder(order: SupplierOrder): Promise<SupplierAcknowledgement>
  /** No answer is SupplierUnreachableError (SupplierUnavailableError behind resilientSupplier.ts), as for `placeOrder`. */
  cancelOrder(cancellation: SupplierCancellation): Promise<SupplierCancellationAnswer>
}

/**
 * Whether an acknowledgement fits the order it answers: every line of the order once, each with 0
 * to the units asked. An adapter checks this before trusting what a supplier sent.
 */
export function acknowledgementProblems(order: Pick<SupplierOrder, 'lines'>, ack: SupplierAcknowledgement): string[] {
  if (ack.outcome === 'rejected') return []
  const asked = new Map(order.lines.map((l) => [l.sku, l.quantity]))
  const problems: string[] = []
  const seen = new Set<string>()
  for (const line of ack.lines) {
    const quantity = asked.get(line.sku)
    if (quantity === undefined || seen.has(line.sku)) problems.push(`line ${line.sku} is not one of the order's, or twice`)
    else if (!Number.isSafeInteger(line.quantity) || line.quantity < 0 || line.quantity > quantity) problems.push(`line ${line.sku} accepts ${line.quantity} of ${quantity}`)
    seen.add(line.sku)
  }
  if (seen.size !== asked.size) problems.push('some lines of the order are not answered')
  if (ack.promisedAt !== null && Number.isNaN(Date.parse(ack.promisedAt))) problems.push('promisedAt is not a date')
  return problems
}
