import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { execute, staff } from '../../platform/testing.ts'
import { buildWorld, type WorldStockLevel } from '../../seed/world.ts'
import type { StockLevelChanged } from './events.ts'
import { availabilityTransition } from './stockLevelChanged.ts'
import { inventoryAppForSuite, levelSnapshot } from './testSupport.ts'

const world = buildWorld()
// levels only these tests touch: plenty AVAILABLE at both warehouses, nothing reserved or committed
const plain = world.stockLevels.filter(
  (s) => s.locationId === 'loc_wh_east' && s.available >= 20 && s.reserved === 0 && s.committed === 0 &&
    world.stockLevels.some((t) => t.sku === s.sku && t.locationId === 'loc_wh_eu' && t.available >= 20 && t.reserved === 0),
).reverse()
let next = 0
const takeLevel = () => {
  const level = plain[next++]
  if (!level) throw new Error('the world ran out of plain levels')
  return level
}
const onHandOf = (s: WorldStockLevel) => s.available + s.committed + s.reserved + s.damaged + s.safetyStock + s.qualityControl
const seededAt = (sku: string, locationId: string) => world.stockLevels.find((s) => s.sku === sku && s.locationId === locationId) as WorldStockLevel

const ADJUST = `mutation($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { adjustmentGroup { id } userErrors { code } } }`
const MOVE = `mutation($input: InventoryMoveInput!) { inventoryMoveQuantities(input: $input) { adjustmentGroup { id } userErrors { code } } }`
const RESERVE = `mutation($input: InventoryReserveInput!) { inventoryReserve(input: $input) { reservations { id } userErrors { code } } }`

describe('StockLevelChanged', () => {
  const t = inventoryAppForSuite()
  let keys = 0
  const adjust = async (s: { sku: string; locationId: string }, name: string, delta: number, reason = 'CORRECTION') => {
    const { data } = await execute(t.app, ADJUST, {
      input: { idempotencyKey: `slc-${keys++}`, reason, referenceDocumentUri: 'gid://wms/Count/7', changes: [{ sku: s.sku, locationId: s.locationId, name, delta, changeFromQuantity: null }] },
    }, staff())
    assert.deepEqual(data?.['inventoryAdjustQuantities'].userErrors, [])
    return data?.['inventoryAdjustQuantities'].adjustmentGroup.id as string
  }
  const levelEvents = (s: { sku: string; locationId: string }, afterPosition?: bigint) =>
    t.outbox<StockLevelChanged>({ type: 'StockLevelChanged', aggregateId: `${s.sku}@${s.locationId}`, ...(afterPosition === undefined ? {} : { afterPosition }) })

  it('appends one event for an adjustment, with exact before/after including ON_HAND, and the level\'s new version', async () => {
    const s = takeLevel()
    const groupId = await adjust(s, 'AVAILABLE', -s.available)
    const level = await levelSnapshot(t.app, s.sku, s.locationId)
    const events = await levelEvents(s)
    assert.equal(events.length, 1)
    const [event] = events
    assert.deepEqual([event?.aggregateType, event?.aggregateId, event?.sequence], ['InventoryLevel', `${s.sku}@${s.locationId}`, 1])
    assert.deepEqual(event?.payload, {
      sku: s.sku,
      locationId: s.locationId,
      version: String(level.version),
      changes: [
        { name: 'AVAILABLE', before: s.available, after: 0 },
        { name: 'ON_HAND', before: onHandOf(s), after: onHandOf(s) - s.available },
      ],
      transition: 'OUT_OF_STOCK',
      reason: 'CORRECTION',
      referenceDocumentUri: 'gid://wms/Count/7',
      adjustmentGroupId: groupId,
    })
  })

  it('marks AVAILABLE coming back from zero BACK_IN_STOCK, and a change that leaves AVAILABLE alone NONE', async () => {
    const s = takeLevel()
    await adjust(s, 'AVAILABLE', -s.available)
    const mark = await t.outboxPosition()
    await adjust(s, 'AVAILABLE', 5, 'RECEIVED')
    await adjust(s, 'DAMAGED', 1, 'DAMAGED')
    const [back, damaged] = await levelEvents(s, mark)
    assert.deepEqual([back?.payload.transition, back?.payload.changes], ['BACK_IN_STOCK', [
      { name: 'AVAILABLE', before: 0, after: 5 },
      { name: 'ON_HAND', before: onHandOf(s) - s.available, after: onHandOf(s) - s.available + 5 },
    ]])
    assert.deepEqual([damaged?.payload.transition, damaged?.payload.reason, damaged?.payload.changes], ['NONE', 'DAMAGED', [
      { name: 'ON_HAND', before: onHandOf(s) - s.available + 5, after: onHandOf(s) - s.available + 6 },
      { name: 'DAMAGED', before: s.damaged, after: s.damaged + 1 },
    ]])
  })

  it('numbers a level\'s events with a sequence and a version that rise together', async () => {
    const s = takeLevel()
    for (const delta of [-1, -2, 3, -4, 1]) await adjust(s, 'AVAILABLE', delta)
    const events = await levelEvents(s)
    assert.deepEqual(events.map((e) => e.sequence), [1, 2, 3, 4, 5])
    const versions = events.map((e) => BigInt(e.payload.version))
    assert.ok(versions.every((v, i) => i === 0 || v > (versions[i - 1] as bigint)), `versions ${versions.join(', ')}`)
    assert.equal(versions.at(-1), (await levelSnapshot(t.app, s.sku, s.locationId)).version)
    assert.deepEqual(events.map((e) => e.payload.changes[0]?.after), [s.available - 1, s.available - 3, s.available, s.available - 4, s.available - 3])
  })

  it('emits one event per level a move changes: both locations, or one level moved between states', async () => {
    const s = takeLevel()
    const eu = seededAt(s.sku, 'loc_wh_eu')
    const mark = await t.outboxPosition()
    const { data } = await execute(t.app, MOVE, {
      input: {
        idempotencyKey: 'slc-move', reason: 'MOVEMENT', moves: [
          { sku: s.sku, quantity: 4, from: { locationId: 'loc_wh_east', name: 'AVAILABLE', changeFromQuantity: null }, to: { locationId: 'loc_wh_eu', name: 'AVAILABLE', changeFromQuantity: null } },
          { sku: s.sku, quantity: 2, from: { locationId: 'loc_wh_eu', name: 'AVAILABLE', changeFromQuantity: null }, to: { locationId: 'loc_wh_eu', name: 'QUALITY_CONTROL', changeFromQuantity: null } },
        ],
      },
    }, staff())
    assert.deepEqual(data?.['inventoryMoveQuantities'].userErrors, [])
    const events = await t.outbox<StockLevelChanged>({ afterPosition: mark })
    assert.deepEqual(events.map((e) => [e.type, e.aggregateId, e.payload.reason, e.payload.changes]).sort(), [
      ['StockLevelChanged', `${s.sku}@loc_wh_east`, 'MOVEMENT', [
        { name: 'AVAILABLE', before: s.available, after: s.available - 4 },
        { name: 'ON_HAND', before: onHandOf(s), after: onHandOf(s) - 4 },
      ]],
      ['StockLevelChanged', `${s.sku}@loc_wh_eu`, 'MOVEMENT', [
        { name: 'AVAILABLE', before: eu.available, after: eu.available + 2 },
        { name: 'ON_HAND', before: onHandOf(eu), after: onHandOf(eu) + 4 },
        { name: 'QUALITY_CONTROL', before: eu.qualityControl, after: eu.qualityControl + 2 },
      ]],
    ].sort())
  })

  it('emits one event per level a reservation holds, with AVAILABLE and RESERVED and no ON_HAND', async () => {
    const [a, b] = [takeLevel(), takeLevel()]
    const mark = await t.outboxPosition()
    const { data } = await execute(t.app, RESERVE, {
      input: { idempotencyKey: 'slc-reserve', referenceDocumentUri: 'gid://orders/Cart/9', lines: [
        { sku: a.sku, quantity: 3, locationId: a.locationId }, { sku: b.sku, quantity: 1, locationId: 'loc_wh_eu' },
      ] },
    }, staff())
    assert.deepEqual(data?.['inventoryReserve'].userErrors, [])
    const eu = seededAt(b.sku, 'loc_wh_eu')
    const events = await t.outbox<StockLevelChanged>({ afterPosition: mark })
    assert.deepEqual(events.map((e) => [e.aggregateId, e.payload.reason, e.payload.referenceDocumentUri, e.payload.transition, e.payload.changes]).sort(), [
      [`${a.sku}@${a.locationId}`, 'RESERVATION', 'gid://orders/Cart/9', 'NONE', [
        { name: 'AVAILABLE', before: a.available, after: a.available - 3 }, { name: 'RESERVED', before: 0, after: 3 },
      ]],
      [`${b.sku}@loc_wh_eu`, 'RESERVATION', 'gid://orders/Cart/9', 'NONE', [
        { name: 'AVAILABLE', before: eu.available, after: eu.available - 1 }, { name: 'RESERVED', before: 0, after: 1 },
      ]],
    ].sort())
  })

  it('appends nothing when the change is refused', async () => {
    const s = takeLevel()
    const mark = await t.outboxPosition()
    const { data } = await execute(t.app, RESERVE, {
      input: { idempotencyKey: 'slc-short', referenceDocumentUri: 'gid://orders/Cart/10', lines: [{ sku: s.sku, quantity: s.available + 1, locationId: s.locationId }] },
    }, staff())
    assert.equal(data?.['inventoryReserve'].userErrors[0].code, 'INSUFFICIENT_AVAILABLE')
    assert.deepEqual(await t.outbox({ afterPosition: mark }), [])
  })

  it('calls only AVAILABLE crossing zero a transition', () => {
    assert.deepEqual(
      [[0, 1], [3, 0], [0, 0], [2, 5], [5, 2]].map(([before, after]) => availabilityTransition(before as number, after as number)),
      ['BACK_IN_STOCK', 'OUT_OF_STOCK', 'NONE', 'NONE', 'NONE'],
    )
  })
})
