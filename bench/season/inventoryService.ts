import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Bus, ConsumerHandle } from '../../platform/bus.ts'
import { startConsumer, type ConsumerOutcome } from '../../platform/consumer.ts'
import type { EventEnvelope } from '../../platform/events.ts'
import { createInProcessBus } from '../../platform/inProcessBus.ts'
import { execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import type { FulfillmentCreated, OrderPlaced } from '../../subgraphs/orders/events.ts'
import { orderEventsHandler } from '../../subgraphs/inventory/consumers/orderEvents.ts'
import type { SeasonPolicy } from './demand.ts'
import { inventory } from '../../subgraphs/inventory/subgraph.ts'

/**
 * The inventory service as the season drives it: its app (mutations through GraphQL, as staff,
 * with idempotency keys) and its order-events consumer on an in-process bus, on a database of the
 * run's own cloned from the test template (PGlite, or PostgreSQL when DATABASE_URL is set).
 * Nothing here decides anything: it is the edge the simulated shop and its buyer talk to.
 */
export interface InventoryService {
  readonly app: FastifyInstance
  readonly db: SubgraphTestApp['db']
  /** Deliveries by outcome: anything but `applied` means the service refused an event. */
  readonly outcomes: Map<ConsumerOutcome, number>
  /** Delivers one order event and waits for the consumer to ack it. */
  deliver(envelope: EventEnvelope): Promise<void>
  /** Runs a staff mutation; userErrors or GraphQL errors throw, naming the mutation. */
  mutate(field: string, query: string, variables: Record<string, unknown>): Promise<Record<string, any>>
  close(): Promise<void>
}

const BUYER = staff('simulate_buyer')

export async function openInventoryService(): Promise<InventoryService> {
  const opened = await openSubgraphTestApp(inventory)
  const bus: Bus = createInProcessBus()
  const outcomes = new Map<ConsumerOutcome, number>()
  const problems: unknown[] = []
  const record = (o: unknown) => problems.push(o)
  const logger = { level: 'silent', info() {}, debug() {}, trace() {}, silent() {}, warn: record, error: record, fatal: record, child: () => logger }
  let consumer: ConsumerHandle
  try {
    consumer = await startConsumer(
      {
        db: opened.db, bus, schema: 'inventory', logger: logger as never, maxDeliveries: 1, backoffMs: () => 1,
        onOutcome: (_name, outcome) => void outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1),
      },
      orderEventsHandler,
    )
  } catch (error) {
    await opened.close()
    throw error
  }
  return {
    app: opened.app,
    db: opened.db,
    outcomes,
    async deliver(envelope) {
      await bus.publish(envelope)
      if (problems.length > 0) throw new Error(`inventory refused ${envelope.type} ${envelope.aggregateId}: ${JSON.stringify(problems.splice(0))}`)
    },
    async mutate(field, query, variables) {
      const { data, errors } = await execute(opened.app, query, variables, BUYER)
      const payload = data?.[field]
      if (errors || !payload) throw new Error(`${field}: ${JSON.stringify(errors ?? data)}`)
      if (payload.userErrors?.length) throw new Error(`${field}: ${JSON.stringify(payload.userErrors)}`)
      return payload
    },
    async close() {
      await consumer.stop()
      await bus.close()
      await opened.close()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// what the shop sends: a day's sales as order events

const DAY_MS = 86_400_000

/** A UUID named by `name` (the shape of RFC 4122's version 5): event ids are UUIDs, and a rerun sends the same ones. */
export function namedUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex')
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

const SOURCE = { source: 'orders', aggregateType: 'Order', sequence: 1, traceContext: {} } as const

/** One line of a day's sales: units of one SKU, taken from AVAILABLE (no hold: it lapsed). */
export interface SaleLine {
  readonly sku: string
  readonly quantity: number
}

/**
 * A day's sales at `locationId` as one order: `OrderPlaced` at noon of `day` (which books the
 * demand on that day and lets the service decide on replenishment), then `FulfillmentCreated`,
 * which ships the units: they leave COMMITTED, and so the stock.
 */
export async function sellAndShip(service: InventoryService, orderId: string, locationId: string, day: number, lines: readonly SaleLine[]): Promise<void> {
  const at = (hour: number) => new Date(day * DAY_MS + hour * 3600_000).toISOString()
  const lineItemId = (sku: string) => `${orderId}_${sku}`
  const placed: OrderPlaced = {
    orderId, number: `#${orderId}`, customerId: 'c_simulated', currency: 'USD', countryCode: 'US', placedAt: at(12),
    paymentMethodToken: 'tok_ok', subtotal: '0', taxTotal: '0', shippingTotal: '0', discountTotal: '0', total: '0', pricesIncludeTax: false,
    lines: lines.map((l) => ({
      lineItemId: lineItemId(l.sku), sku: l.sku, title: l.sku, quantity: l.quantity, unitPrice: '0', taxLines: [], total: '0',
      reservationId: `res_${lineItemId(l.sku)}`, locationId,
    })),
  }
  await service.deliver({ ...SOURCE, id: namedUuid(`${orderId}/placed`), type: 'OrderPlaced', aggregateId: orderId, occurredAt: at(12), payload: placed })
  const shipped: FulfillmentCreated = {
    orderId, fulfillmentId: `ful_${orderId}`, fulfillmentOrderId: `fo_${orderId}`, locationId,
    lines: lines.map((l) => ({ lineItemId: lineItemId(l.sku), sku: l.sku, quantity: l.quantity })),
  }
  await service.deliver({ ...SOURCE, id: namedUuid(`${orderId}/shipped`), type: 'FulfillmentCreated', aggregateId: orderId, occurredAt: at(18), payload: shipped })
}

// ---------------------------------------------------------------------------------------------
// what the buyer does: staff mutations

const ERRORS = 'userErrors { code field message }'
const ADJUST = `mutation($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { ${ERRORS} } }`
const SET_POLICY = `mutation($input: ReplenishmentPolicySetInput!) { replenishmentPolicySet(input: $input) { ${ERRORS} } }`
const APPROVE = `mutation($id: ID!, $key: ID!) { purchaseOrderApprove(id: $id, idempotencyKey: $key) { replenishment { status } ${ERRORS} } }`
const RECEIVE = `mutation($input: PurchaseOrderReceiveInput!) { purchaseOrderReceive(input: $input) { replenishment { status } ${ERRORS} } }`

/** The largest list one mutation takes (mutations/limits.ts). */
const MAX_CHANGES = 250

/** Opening stock: AVAILABLE += units per SKU, reason RECEIVED, referenced as the opening balance. */
export async function stockUp(service: InventoryService, locationId: string, units: readonly SaleLine[], reference: string): Promise<void> {
  for (let i = 0; i < units.length; i += MAX_CHANGES) {
    await service.mutate('inventoryAdjustQuantities', ADJUST, {
      input: {
        idempotencyKey: `${reference}#${i}`, reason: 'RECEIVED', referenceDocumentUri: reference,
        changes: units.slice(i, i + MAX_CHANGES).map((u) => ({ sku: u.sku, locationId, name: 'AVAILABLE', delta: u.quantity, changeFromQuantity: null })),
      },
    })
  }
}

export async function setPolicy(service: InventoryService, sku: string, locationId: string, supplierId: string, policy: SeasonPolicy): Promise<void> {
  await service.mutate('replenishmentPolicySet', SET_POLICY, { input: { idempotencyKey: `policy_${sku}`, sku, locationId, supplierId, ...policy } })
}

export async function approvePurchaseOrder(service: InventoryService, id: string): Promise<void> {
  const { replenishment } = await service.mutate('purchaseOrderApprove', APPROVE, { id, key: `approve_${id}` })
  if (replenishment?.status !== 'ORDERED') throw new Error(`purchase order ${id} is ${replenishment?.status} after approval`)
}

export async function receivePurchaseOrder(service: InventoryService, id: string, lines: readonly SaleLine[]): Promise<void> {
  const { replenishment } = await service.mutate('purchaseOrderReceive', RECEIVE, { input: { idempotencyKey: `receive_${id}`, id, lines } })
  if (replenishment?.status !== 'RECEIVED') throw new Error(`purchase order ${id} is ${replenishment?.status} after receiving everything`)
}
