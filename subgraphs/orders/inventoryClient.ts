import { graphqlError } from '../../platform/errors.ts'
import { createSubgraphClient, type SubgraphResponse } from '../../platform/subgraphClient.ts'
import type { Viewer } from '../../platform/viewer.ts'

/** Who orders acts as when it calls inventory: a service with the staff role inventory's mutations need. */
export const ORDERS_SERVICE_VIEWER: Viewer = Object.freeze<Viewer>({ sub: 'service:orders', roles: ['staff'], scopes: [], locationIds: null })

export interface InventoryReservation {
  readonly id: string
  readonly sku: string
  readonly quantity: number
  readonly locationId: string
  readonly status: 'ACTIVE' | 'CONSUMED' | 'RELEASED' | 'EXPIRED'
}

export interface InventoryUserError {
  readonly code: string
  readonly field: readonly (string | number)[] | null
  readonly message: string
}

export type ReserveOutcome =
  | { readonly kind: 'reserved'; readonly reservations: readonly InventoryReservation[] }
  | { readonly kind: 'refused'; readonly userErrors: readonly InventoryUserError[] }

export interface ReserveRequest {
  readonly idempotencyKey: string
  readonly referenceDocumentUri: string
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[]
}

/** The one synchronous cross-domain write (ARCHITECTURE.md): stock reservation at checkout. */
export interface InventoryClient {
  /** All lines or none; inventory picks each line's location. Idempotent per key. */
  reserve(request: ReserveRequest): Promise<ReserveOutcome>
  /** Gives a reservation's units back. Idempotent; a reservation already gone counts as released. */
  release(reservationId: string, idempotencyKey: string): Promise<void>
}

const RESERVE = `mutation ($input: InventoryReserveInput!) {
  inventoryReserve(input: $input) {
    reservations { id quantity status location { id } item { sku } }
    userErrors { code field message }
  }
}`
const RELEASE = `mutation ($id: ID!, $idempotencyKey: ID!) {
  inventoryReleaseReservation(id: $id, idempotencyKey: $idempotencyKey) { userErrors { code field message } }
}`

interface ReservePayload {
  readonly reservations: readonly { id: string; quantity: number; status: InventoryReservation['status']; location: { id: string }; item: { sku: string } }[] | null
  readonly userErrors: readonly InventoryUserError[]
}

const unavailable = () => graphqlError('SUBGRAPH_UNAVAILABLE', 'inventory did not answer; retry with the same idempotency key')

export function createInventoryClient(options: { urls: () => readonly string[]; signingSecret: string; timeoutMs: number }): InventoryClient {
  const client = createSubgraphClient({ ...options, name: 'inventory', viewer: ORDERS_SERVICE_VIEWER })

  /** The payload of a mutation that answered; anything else is inventory not serving us. */
  async function call<D>(query: string, variables: Record<string, unknown>, field: string): Promise<D> {
    let response: SubgraphResponse<Record<string, D>>
    try {
      response = await client.request<Record<string, D>>(query, variables)
    } catch {
      throw unavailable()
    }
    const payload = response.data?.[field]
    // a GraphQL error here (refused signature, broken schema) is not the shopper's to fix either
    if (response.errors?.length || payload === undefined || payload === null) throw unavailable()
    return payload
  }

  return {
    async reserve({ idempotencyKey, referenceDocumentUri, lines }) {
      const payload = await call<ReservePayload>(
        RESERVE,
        { input: { idempotencyKey, referenceDocumentUri, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) } },
        'inventoryReserve',
      )
      if (payload.userErrors.length > 0 || !payload.reservations) return { kind: 'refused', userErrors: payload.userErrors }
      return {
        kind: 'reserved',
        reservations: payload.reservations.map((r) => ({ id: r.id, sku: r.item.sku, quantity: r.quantity, locationId: r.location.id, status: r.status })),
      }
    },
    async release(reservationId, idempotencyKey) {
      // userErrors mean the units are back already (released, expired) or were never held: done.
      // (RESERVATION_CONSUMED cannot come: only an OrderPlaced consumes, and no order was written.)
      await call<unknown>(RELEASE, { id: reservationId, idempotencyKey }, 'inventoryReleaseReservation')
    },
  }
}
