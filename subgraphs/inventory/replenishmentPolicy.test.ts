import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Bus, ConsumerHandle } from '../../platform/bus.ts'
import { startConsumer } from '../../platform/consumer.ts'
import type { EventEnvelope } from '../../platform/events.ts'
import { createInProcessBus } from '../../platform/inProcessBus.ts'
import { customer, execute, staff, viewer } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import { dayOfInstant } from './demand.ts'
import { needKey } from './forecast/replenishment.ts'
import { applyLevelChangesOrThrow } from './store/levelChangeStore.ts'
import { freshLevels, inventoryAppForSuite, levelSnapshot, orderPlacedEvent } from './testSupport.ts'

const world = buildWorld()
const EAST = 'loc_wh_east'
const fresh = freshLevels(world, EAST)
const TODAY = dayOfInstant(new Date())

const SET = `mutation($input: ReplenishmentPolicySetInput!) { replenishmentPolicySet(input: $input) {
  policy { supplierId leadTimeDays reviewPeriodDays serviceLevel minimumOrderQuantity packSize } userErrors { code field } } }`
const LEVEL = `query($r: [_Any!]!, $loc: [ID!]) { _entities(representations: $r) { ... on ProductVariant {
  stock(locationIds: $loc) { nodes { replenishmentPolicy { supplierId leadTimeDays } replenishmentDrafts { status destination { id } lines { item { sku } quantity } } } }
  stockoutRisk(locationId: "${EAST}") { leadTimeDays } } } }`
const policyInput = (sku: string, overrides: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(), sku, locationId: EAST, supplierId: 'sup_acme', leadTimeDays: 5, reviewPeriodDays: 7,
  serviceLevel: 0.95, minimumOrderQuantity: 30, packSize: 12, ...overrides,
})
const codesOf = (errors: readonly { extensions?: Record<string, unknown> }[] | undefined) => (errors ?? []).map((e) => e.extensions?.['code'])

describe('replenishment policies', () => {
  const t = inventoryAppForSuite()
  let bus: Bus
  let consumer: ConsumerHandle
  const problems: unknown[] = []

  before(async () => {
    bus = createInProcessBus()
    const record = (o: unknown) => problems.push(o)
    const logger = { level: 'silent', info() {}, debug() {}, trace() {}, silent() {}, warn: record, error: record, fatal: record, child: () => logger }
    consumer = await startConsumer({ db: t.db, bus, schema: 'inventory', logger: logger as never, maxDeliveries: 1, backoffMs: () => 1 }, orderEventsHandler)
  })
  after(async () => {
    await consumer.stop()
    await bus.close()
  })

  const levelOf = async (sku: string, who = staff()) => execute(t.app, LEVEL, { r: [{ __typename: 'ProductVariant', sku }], loc: [EAST] }, who)

  it('sets a level\'s policy, replays it under the same key, and shows it to staff', async () => {
    const sku = fresh[0]!.sku
    const input = policyInput(sku)
    const first = await execute(t.app, SET, { input }, staff())
    assert.deepEqual(first.data?.['replenishmentPolicySet'], {
      policy: { supplierId: 'sup_acme', leadTimeDays: 5, reviewPeriodDays: 7, serviceLevel: 0.95, minimumOrderQuantity: 30, packSize: 12 }, userErrors: [],
    })
    const replay = await execute(t.app, SET, { input }, staff())
    assert.deepEqual(replay.data, first.data)
    const { data, errors } = await levelOf(sku)
    assert.equal(errors, undefined)
    assert.deepEqual(data?.['_entities'][0].stock.nodes[0].replenishmentPolicy, { supplierId: 'sup_acme', leadTimeDays: 5 })
    // the policy's lead time is the one stock-out risk is judged over
    assert.equal(data?.['_entities'][0].stockoutRisk.leadTimeDays, 5)
  })

  it('lists every invalid value at once as INVALID_POLICY, and refuses levels that do not exist', async () => {
    const sku = fresh[1]!.sku
    const invalid = await execute(t.app, SET, { input: policyInput(sku, { serviceLevel: 0.3, packSize: 0, supplierId: '' }) }, staff())
    assert.deepEqual(invalid.data?.['replenishmentPolicySet'], {
      policy: null,
      userErrors: [
        { code: 'INVALID_POLICY', field: ['input', 'supplierId'] },
        { code: 'INVALID_POLICY', field: ['input', 'packSize'] },
        { code: 'INVALID_POLICY', field: ['input', 'serviceLevel'] },
      ],
    })
    const unknown = await execute(t.app, SET, { input: policyInput('NO-SUCH-SKU') }, staff())
    assert.deepEqual(unknown.data?.['replenishmentPolicySet'].userErrors, [{ code: 'UNKNOWN_SKU', field: ['input', 'sku'] }])
    const notStocked = world.stockLevels.find((s) => !world.stockLevels.some((o) => o.sku === s.sku && o.locationId === 'loc_store_nyc'))!
    const elsewhere = await execute(t.app, SET, { input: { ...policyInput(notStocked.sku), locationId: 'loc_store_nyc' } }, staff())
    assert.deepEqual(elsewhere.data?.['replenishmentPolicySet'].userErrors, [{ code: 'ITEM_NOT_STOCKED_AT_LOCATION', field: ['input', 'locationId'] }])
    const { data } = await levelOf(sku)
    assert.equal(data?.['_entities'][0].stock.nodes[0].replenishmentPolicy, null)
  })

  it('is staff only to set, and staff or stock:read partners to read', async () => {
    const sku = fresh[0]!.sku
    const refused = await execute(t.app, SET, { input: policyInput(sku) }, customer('c_1001'))
    assert.deepEqual(codesOf(refused.errors), ['FORBIDDEN'])
    const anonymous = await levelOf(sku, viewer())
    assert.ok(codesOf(anonymous.errors).every((code) => code === 'UNAUTHENTICATED') && codesOf(anonymous.errors).length > 0)
    const other = viewer({ sub: 'partner_3pl', roles: ['partner'], scopes: ['stock:read'], locationIds: ['loc_wh_eu'] })
    const hidden = await execute(t.app, `query($r: [_Any!]!) { _entities(representations: $r) { ... on ProductVariant { stockoutRisk(locationId: "${EAST}") { leadTimeDays } } } }`,
      { r: [{ __typename: 'ProductVariant', sku }] }, other)
    assert.deepEqual(codesOf(hidden.errors), ['FORBIDDEN'])
  })

  it('drafts one purchase order per need when demand takes the position below the reorder point, however often events arrive', async () => {
    const level = fresh[2]!
    const sku = level.sku
    // three weeks of about six a day leave under 20 units: below five days' demand and its safety stock
    await t.db.transaction((tx) =>
      applyLevelChangesOrThrow(tx, { reason: 'CORRECTION', referenceDocumentUri: null, actor: null, changes: [{ sku, locationId: EAST, name: 'AVAILABLE', delta: 150 - level.available }] }),
    )
    const set = await execute(t.app, SET, { input: policyInput(sku) }, staff())
    assert.deepEqual(set.data?.['replenishmentPolicySet'].userErrors, [])
    const deliveries: EventEnvelope[] = []
    for (let day = TODAY - 21; day <= TODAY; day++) {
      const envelope = orderPlacedEvent({ tag: `r${day}`, day, sku, locationId: EAST, quantity: 5 + (day % 3) })
      deliveries.push(envelope)
      await bus.publish(envelope)
    }
    // redelivered, the day's events change nothing
    await bus.publish(deliveries.at(-1)!)
    assert.deepEqual(problems, [])
    const { rows } = await t.db.query<{ need_key: string; status: string; supplier_id: string; quantity: number }>(
      `select r.need_key, r.status, r.supplier_id, l.quantity from inventory.replenishments r join inventory.replenishment_lines l on l.replenishment_id = r.id
       where l.sku = $1 and r.destination_location_id = $2 order by r.created_at`,
      [sku, EAST],
    )
    assert.ok(rows.length >= 1, 'a draft was written')
    assert.equal(new Set(rows.map((r) => r.need_key)).size, rows.length, 'one draft per need')
    for (const row of rows) {
      assert.equal(row.status, 'DRAFT')
      assert.equal(row.supplier_id, 'sup_acme')
      assert.equal(row.quantity % 12, 0, 'whole packs')
      assert.ok(row.quantity >= 36, 'at least the minimum order quantity, in packs')
    }
    // the last need is this review window's
    assert.equal(rows.at(-1)?.need_key, needKey(sku, EAST, TODAY, 7))
    const { data, errors } = await levelOf(sku)
    assert.equal(errors, undefined)
    const drafts = data?.['_entities'][0].stock.nodes[0].replenishmentDrafts
    assert.deepEqual(drafts.map((d: { status: string }) => d.status), rows.map(() => 'DRAFT'))
    assert.deepEqual(drafts[0].lines, [{ item: { sku }, quantity: rows[0]!.quantity }])
  })

  const PO_FIELDS = `replenishment { id status lines { quantity receivedQuantity } } userErrors { code field }`
  const approve = (id: string, key = randomUUID()) =>
    execute(t.app, `mutation($id: ID!, $key: ID!) { purchaseOrderApprove(id: $id, idempotencyKey: $key) { ${PO_FIELDS} } }`, { id, key }, staff())
  const cancel = (id: string) =>
    execute(t.app, `mutation($id: ID!, $key: ID!) { purchaseOrderCancel(id: $id, idempotencyKey: $key) { ${PO_FIELDS} } }`, { id, key: randomUUID() }, staff())
  const receive = (id: string, lines: { sku: string; quantity: number }[]) =>
    execute(t.app, `mutation($input: PurchaseOrderReceiveInput!) { purchaseOrderReceive(input: $input) { ${PO_FIELDS} } }`, { input: { idempotencyKey: randomUUID(), id, lines } }, staff())

  it('approves a draft into INCOMING, receives it into AVAILABLE in parts, and refuses what is not open', async () => {
    const sku = fresh[2]!.sku
    const { rows } = await t.db.query<{ id: string; quantity: number }>(
      `select r.id, l.quantity from inventory.replenishments r join inventory.replenishment_lines l on l.replenishment_id = r.id
       where l.sku = $1 and r.status = 'DRAFT' order by r.created_at, r.id`,
      [sku],
    )
    const draft = rows.at(-1)!
    const before = await levelSnapshot(t.app, sku, EAST, staff())
    const mark = await t.outboxPosition()
    const key = randomUUID()
    const approved = await approve(draft.id, key)
    assert.deepEqual(approved.data?.['purchaseOrderApprove'], {
      replenishment: { id: draft.id, status: 'ORDERED', lines: [{ quantity: draft.quantity, receivedQuantity: 0 }] }, userErrors: [],
    })
    // replayed, and approved again under another key: INCOMING rises once
    assert.deepEqual((await approve(draft.id, key)).data, approved.data)
    assert.deepEqual((await approve(draft.id)).data?.['purchaseOrderApprove'].userErrors, [])
    const ordered = await levelSnapshot(t.app, sku, EAST, staff())
    assert.equal(ordered.quantities['INCOMING'], (before.quantities['INCOMING'] ?? NaN) + draft.quantity)

    const part = await receive(draft.id, [{ sku, quantity: 12 }])
    assert.deepEqual(part.data?.['purchaseOrderReceive'].replenishment, { id: draft.id, status: 'PARTIALLY_RECEIVED', lines: [{ quantity: draft.quantity, receivedQuantity: 12 }] })
    const afterPart = await levelSnapshot(t.app, sku, EAST, staff())
    assert.equal(afterPart.quantities['INCOMING'], (ordered.quantities['INCOMING'] ?? NaN) - 12)
    assert.equal(afterPart.quantities['AVAILABLE'], (ordered.quantities['AVAILABLE'] ?? NaN) + 12)

    const tooMuch = await receive(draft.id, [{ sku, quantity: draft.quantity }, { sku: 'NOT-ON-IT', quantity: 1 }])
    assert.deepEqual(tooMuch.data?.['purchaseOrderReceive'], {
      replenishment: null,
      userErrors: [{ code: 'RECEIVE_EXCEEDS_OPEN', field: ['input', 'lines', '0'] }, { code: 'RECEIVE_EXCEEDS_OPEN', field: ['input', 'lines', '1'] }],
    })
    const rest = await receive(draft.id, [{ sku, quantity: draft.quantity - 12 }])
    assert.equal(rest.data?.['purchaseOrderReceive'].replenishment.status, 'RECEIVED')
    const received = await levelSnapshot(t.app, sku, EAST, staff())
    assert.equal(received.quantities['INCOMING'], before.quantities['INCOMING'])
    assert.equal(received.quantities['AVAILABLE'], (ordered.quantities['AVAILABLE'] ?? NaN) + draft.quantity)
    const events = (await t.outbox({ afterPosition: mark })).filter((e) => e.aggregateType === 'Replenishment')
    assert.deepEqual(events.map((e) => [e.type, e.aggregateId, e.payload]), [
      ['PurchaseOrderPlaced', draft.id, { replenishmentId: draft.id, supplierId: 'sup_acme', destinationLocationId: EAST, expectedAt: events[0]?.payload.expectedAt, lines: [{ sku, quantity: draft.quantity }] }],
      ['PurchaseOrderReceived', draft.id, { replenishmentId: draft.id, destinationLocationId: EAST, lines: [{ sku, quantity: 12 }], status: 'PARTIALLY_RECEIVED' }],
      ['PurchaseOrderReceived', draft.id, { replenishmentId: draft.id, destinationLocationId: EAST, lines: [{ sku, quantity: draft.quantity - 12 }], status: 'RECEIVED' }],
    ])
    assert.match(String(events[0]?.payload.expectedAt), /^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/)
    assert.deepEqual((await cancel(draft.id)).data?.['purchaseOrderCancel'].userErrors, [{ code: 'REPLENISHMENT_NOT_CANCELLABLE', field: ['id'] }])
    assert.deepEqual((await receive(draft.id, [{ sku, quantity: 1 }])).data?.['purchaseOrderReceive'].userErrors, [{ code: 'REPLENISHMENT_NOT_RECEIVABLE', field: ['input', 'id'] }])
  })

  it('cancels a draft without touching stock and an ordered one by taking its open units out of INCOMING', async () => {
    const sku = fresh[2]!.sku
    const level = await levelSnapshot(t.app, sku, EAST, staff())
    const drafted = async (needKeySuffix: string) => {
      const id = `repl_t_${needKeySuffix}`
      await t.db.query(`insert into inventory.replenishments (id, destination_location_id, status, supplier_id, need_key) values ($1, $2, 'DRAFT', 'sup_acme', $1)`, [id, EAST])
      await t.db.query(`insert into inventory.replenishment_lines (replenishment_id, position, sku, quantity) values ($1, 0, $2, 24)`, [id, sku])
      return id
    }
    const draft = await drafted('a')
    assert.equal((await cancel(draft)).data?.['purchaseOrderCancel'].replenishment.status, 'CANCELLED')
    assert.deepEqual((await cancel(draft)).data?.['purchaseOrderCancel'].userErrors, [])
    assert.deepEqual((await levelSnapshot(t.app, sku, EAST, staff())).quantities, level.quantities)
    assert.deepEqual((await approve(draft)).data?.['purchaseOrderApprove'].userErrors, [{ code: 'REPLENISHMENT_NOT_DRAFT', field: ['id'] }])

    const ordered = await drafted('b')
    await approve(ordered)
    await receive(ordered, [{ sku, quantity: 10 }])
    assert.equal((await cancel(ordered)).data?.['purchaseOrderCancel'].replenishment.status, 'CANCELLED')
    const after = await levelSnapshot(t.app, sku, EAST, staff())
    assert.equal(after.quantities['INCOMING'], level.quantities['INCOMING'])
    assert.equal(after.quantities['AVAILABLE'], (level.quantities['AVAILABLE'] ?? NaN) + 10)
    assert.deepEqual((await approve('repl_nowhere')).data?.['purchaseOrderApprove'].userErrors, [{ code: 'UNKNOWN_REPLENISHMENT', field: ['id'] }])
  })
})
