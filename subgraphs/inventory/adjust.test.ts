import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { requestHash } from '../../platform/idempotency.ts'
import { customer, execute, partner, staff } from '../../platform/testing.ts'
import { ANONYMOUS } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { inventoryAppForSuite, ledgerGroupCount, levelSnapshot } from './testSupport.ts'

const world = buildWorld()
// levels only these tests touch, one per test: plenty AVAILABLE at a warehouse, nothing reserved
const plain = world.stockLevels.filter((s) => s.locationId === 'loc_wh_east' && s.available >= 20 && s.reserved === 0 && s.committed === 0 && s.damaged === 0)
let nextPlain = 0
const takeLevel = () => {
  const level = plain[nextPlain++]
  if (!level) throw new Error('the world ran out of plain levels')
  return level
}
// a sku not stocked at the store (the store carries apparel and footwear only)
const notAtStore = world.stockLevels.find((s) => s.sku.startsWith('HOM-'))?.sku ?? ''

const ADJUST = `mutation($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) {
  adjustmentGroup { id reason referenceDocumentUri changes { item { sku } location { id } name delta quantityAfterChange } }
  userErrors { code field message } } }`
const MOVE = `mutation($input: InventoryMoveInput!) { inventoryMoveQuantities(input: $input) {
  adjustmentGroup { id reason changes { location { id } name delta quantityAfterChange } }
  userErrors { code field } } }`

describe('inventoryAdjustQuantities', () => {
  const t = inventoryAppForSuite()
  const adjust = (input: Record<string, unknown>, who = staff()) => execute(t.app, ADJUST, { input }, who)
  const payload = (response: { data?: any }) => response.data?.inventoryAdjustQuantities

  it('applies deltas to several states as one ledger group and bumps the level version', async () => {
    const s = takeLevel()
    const before = await levelSnapshot(t.app, s.sku, s.locationId)
    const response = await adjust({
      idempotencyKey: 'adj-ok', reason: 'CYCLE_COUNT', referenceDocumentUri: 'gid://wms/CycleCount/CC-1',
      changes: [
        { sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: -3, changeFromQuantity: s.available },
        { sku: s.sku, locationId: s.locationId, name: 'DAMAGED', delta: 3, changeFromQuantity: 0 },
        { sku: s.sku, locationId: s.locationId, name: 'INCOMING', delta: 5, changeFromQuantity: null },
        { sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: -1, changeFromQuantity: s.available - 3 },
      ],
    })
    assert.equal(response.errors, undefined)
    const { adjustmentGroup, userErrors } = payload(response)
    assert.deepEqual(userErrors, [])
    assert.equal(adjustmentGroup.reason, 'CYCLE_COUNT')
    assert.equal(adjustmentGroup.referenceDocumentUri, 'gid://wms/CycleCount/CC-1')
    const at = { item: { sku: s.sku }, location: { id: s.locationId } }
    assert.deepEqual(adjustmentGroup.changes, [
      { ...at, name: 'AVAILABLE', delta: -3, quantityAfterChange: s.available - 3 },
      { ...at, name: 'DAMAGED', delta: 3, quantityAfterChange: 3 },
      { ...at, name: 'INCOMING', delta: 5, quantityAfterChange: s.incoming + 5 },
      { ...at, name: 'AVAILABLE', delta: -1, quantityAfterChange: s.available - 4 },
    ])
    const after = await levelSnapshot(t.app, s.sku, s.locationId)
    assert.ok(after.version > before.version)
    assert.equal(after.quantities['AVAILABLE'], s.available - 4)
    assert.equal(after.quantities['DAMAGED'], 3)
    assert.equal(after.quantities['INCOMING'], s.incoming + 5)
    // AVAILABLE -> DAMAGED keeps units on hand; the one unit removed leaves
    assert.equal(after.quantities['ON_HAND'], (before.quantities['ON_HAND'] ?? NaN) - 1)
  })

  it('treats ON_HAND as AVAILABLE', async () => {
    const s = takeLevel()
    const { adjustmentGroup } = payload(await adjust({
      idempotencyKey: 'adj-on-hand', reason: 'RECEIVED', changes: [{ sku: s.sku, locationId: s.locationId, name: 'ON_HAND', delta: 4, changeFromQuantity: null }],
    }))
    assert.deepEqual(adjustmentGroup.changes.map((c: any) => [c.name, c.quantityAfterChange]), [['AVAILABLE', s.available + 4]])
  })

  it('refuses a change whose changeFromQuantity is absent, also once the query is compiled', async () => {
    const s = takeLevel()
    const groups = await ledgerGroupCount(t.test.db)
    for (let round = 0; round < 3; round++) {
      const viaVariables = payload(await adjust({ idempotencyKey: `adj-missing-${round}`, reason: 'CORRECTION', changes: [{ sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: 1 }] }))
      assert.deepEqual(viaVariables, {
        adjustmentGroup: null,
        userErrors: [{ code: 'CHANGE_FROM_QUANTITY_MISSING', field: ['input', 'changes', '0', 'changeFromQuantity'], message: 'Send the quantity you last read as changeFromQuantity, or null to skip the check' }],
      })
      const literal = await execute(t.app, `mutation { inventoryAdjustQuantities(input: { idempotencyKey: "adj-missing-literal-${round}", reason: CORRECTION,
        changes: [{ sku: "${s.sku}", locationId: "${s.locationId}", name: AVAILABLE, delta: 1 }] }) { userErrors { code field } } }`, {}, staff())
      assert.deepEqual(literal.data?.['inventoryAdjustQuantities'].userErrors, [{ code: 'CHANGE_FROM_QUANTITY_MISSING', field: ['input', 'changes', '0', 'changeFromQuantity'] }])
    }
    assert.equal(await ledgerGroupCount(t.test.db), groups)
    assert.equal((await levelSnapshot(t.app, s.sku, s.locationId)).quantities['AVAILABLE'], s.available)
  })

  it('refuses a stale changeFromQuantity and writes nothing, not even the other changes', async () => {
    const s = takeLevel()
    const before = await levelSnapshot(t.app, s.sku, s.locationId)
    const groups = await ledgerGroupCount(t.test.db)
    const { userErrors, adjustmentGroup } = payload(await adjust({
      idempotencyKey: 'adj-stale', reason: 'CORRECTION',
      changes: [
        { sku: s.sku, locationId: s.locationId, name: 'DAMAGED', delta: 1, changeFromQuantity: 0 },
        { sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: 1, changeFromQuantity: s.available + 7 },
      ],
    }))
    assert.equal(adjustmentGroup, null)
    assert.deepEqual(userErrors.map((e: any) => [e.code, e.field]), [['CHANGE_FROM_QUANTITY_STALE', ['input', 'changes', '1', 'changeFromQuantity']]])
    assert.deepEqual(await levelSnapshot(t.app, s.sku, s.locationId), before)
    assert.equal(await ledgerGroupCount(t.test.db), groups)
  })

  it('refuses a change that would take a state below zero', async () => {
    const s = takeLevel()
    const { userErrors } = payload(await adjust({
      idempotencyKey: 'adj-negative', reason: 'SHRINKAGE',
      changes: [{ sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: -(s.available + 1), changeFromQuantity: null }],
    }))
    assert.deepEqual(userErrors.map((e: any) => [e.code, e.field]), [['INSUFFICIENT_AVAILABLE', ['input', 'changes', '0', 'delta']]])
    assert.equal((await levelSnapshot(t.app, s.sku, s.locationId)).quantities['AVAILABLE'], s.available)
  })

  it('reports every invalid change with the path to it', async () => {
    const s = takeLevel()
    const change = (over: Record<string, unknown>) => ({ sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: 1, changeFromQuantity: null, ...over })
    const { userErrors } = payload(await adjust({
      idempotencyKey: 'adj-invalid', reason: 'CORRECTION',
      changes: [
        change({ sku: 'NOPE-1' }),
        change({ locationId: 'loc_nowhere' }),
        change({ sku: notAtStore, locationId: 'loc_store_nyc' }),
        change({ delta: 0 }),
        change({ name: 'RESERVED' }),
        change({ name: 'COMMITTED' }),
        change({}),
      ],
    }))
    assert.deepEqual(userErrors.map((e: any) => [e.code, e.field]), [
      ['INVALID_QUANTITY', ['input', 'changes', '3', 'delta']],
      ['INVALID_QUANTITY_NAME', ['input', 'changes', '4', 'name']],
      ['INVALID_QUANTITY_NAME', ['input', 'changes', '5', 'name']],
      ['UNKNOWN_SKU', ['input', 'changes', '0', 'sku']],
      ['UNKNOWN_LOCATION', ['input', 'changes', '1', 'locationId']],
      ['ITEM_NOT_STOCKED_AT_LOCATION', ['input', 'changes', '2', 'locationId']],
    ])
    assert.equal((await levelSnapshot(t.app, s.sku, s.locationId)).quantities['AVAILABLE'], s.available)
  })

  it('refuses an empty list of changes and a list over the limit', async () => {
    const empty = payload(await adjust({ idempotencyKey: 'adj-empty', reason: 'OTHER', changes: [] }))
    assert.deepEqual(empty.userErrors.map((e: any) => [e.code, e.field]), [['NO_CHANGES', ['input', 'changes']]])
    const s = takeLevel()
    const many = Array.from({ length: 251 }, () => ({ sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: 1, changeFromQuantity: null }))
    const tooMany = await adjust({ idempotencyKey: 'adj-many', reason: 'OTHER', changes: many })
    assert.equal(tooMany.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
  })

  it('replays the same key and input without applying twice, and refuses the key with another input', async () => {
    const s = takeLevel()
    const input = { idempotencyKey: 'adj-replay', reason: 'RESTOCK', changes: [{ sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: 5, changeFromQuantity: s.available }] }
    const first = payload(await adjust(input))
    const second = payload(await adjust(input))
    assert.deepEqual(second, first)
    assert.equal((await levelSnapshot(t.app, s.sku, s.locationId)).quantities['AVAILABLE'], s.available + 5)
    const reused = payload(await adjust({ ...input, changes: [{ ...input.changes[0], delta: 6 }] }))
    assert.deepEqual(reused.userErrors.map((e: any) => [e.code, e.field]), [['IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']]])
    assert.equal(reused.adjustmentGroup, null)
  })

  it('frees the key of a request that returned userErrors, so a corrected retry runs', async () => {
    const s = takeLevel()
    const change = { sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: 2 }
    const refused = payload(await adjust({ idempotencyKey: 'adj-retry', reason: 'CORRECTION', changes: [{ ...change, changeFromQuantity: 0 }] }))
    assert.equal(refused.userErrors[0].code, 'CHANGE_FROM_QUANTITY_STALE')
    const retried = payload(await adjust({ idempotencyKey: 'adj-retry', reason: 'CORRECTION', changes: [{ ...change, changeFromQuantity: s.available }] }))
    assert.deepEqual(retried.userErrors, [])
  })

  it('answers IDEMPOTENCY_CONCURRENT_REQUEST while the same request is in flight', async () => {
    const s = takeLevel()
    const { idempotencyKey, ...rest } = { idempotencyKey: 'adj-in-flight', reason: 'CORRECTION', changes: [{ sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: 1, changeFromQuantity: null }] }
    await t.test.db.query(
      `insert into inventory.idempotency_keys (scope, key, operation, request_hash, state, locked_until) values ('staff_1', $1, 'inventoryAdjustQuantities', $2, 'in_flight', now() + interval '1 minute')`,
      [idempotencyKey, requestHash('inventoryAdjustQuantities', rest)],
    )
    const { userErrors } = payload(await adjust({ idempotencyKey, ...rest }))
    assert.deepEqual(userErrors.map((e: any) => [e.code, e.field]), [['IDEMPOTENCY_CONCURRENT_REQUEST', ['input', 'idempotencyKey']]])
  })

  it('is for staff only', async () => {
    const s = takeLevel()
    const input = { idempotencyKey: 'adj-who', reason: 'CORRECTION', changes: [{ sku: s.sku, locationId: s.locationId, name: 'AVAILABLE', delta: 1, changeFromQuantity: null }] }
    assert.equal((await adjust(input, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await adjust(input, customer('c_1001'))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    assert.equal((await adjust(input, partner())).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    assert.equal((await levelSnapshot(t.app, s.sku, s.locationId)).quantities['AVAILABLE'], s.available)
  })

  describe('inventoryMoveQuantities', () => {
    const move = (input: Record<string, unknown>) => execute(t.app, MOVE, { input }, staff())
    const movePayload = (response: { data?: any }) => response.data?.inventoryMoveQuantities

    it('moves units from one state to another at a location', async () => {
      const s = takeLevel()
      const { adjustmentGroup, userErrors } = movePayload(await move({
        idempotencyKey: 'mv-state', reason: 'DAMAGED',
        moves: [{ sku: s.sku, quantity: 4, from: { locationId: s.locationId, name: 'AVAILABLE', changeFromQuantity: s.available }, to: { locationId: s.locationId, name: 'DAMAGED', changeFromQuantity: 0 } }],
      }))
      assert.deepEqual(userErrors, [])
      assert.deepEqual(adjustmentGroup.changes, [
        { location: { id: s.locationId }, name: 'AVAILABLE', delta: -4, quantityAfterChange: s.available - 4 },
        { location: { id: s.locationId }, name: 'DAMAGED', delta: 4, quantityAfterChange: 4 },
      ])
      const after = await levelSnapshot(t.app, s.sku, s.locationId)
      assert.equal(after.quantities['DAMAGED'], 4)
    })

    it('moves units from one location to another', async () => {
      const s = takeLevel()
      const eu = world.stockLevels.find((l) => l.sku === s.sku && l.locationId === 'loc_wh_eu')
      assert.ok(eu)
      const { userErrors } = movePayload(await move({
        idempotencyKey: 'mv-location', reason: 'MOVEMENT',
        moves: [{ sku: s.sku, quantity: 6, from: { locationId: s.locationId, name: 'AVAILABLE', changeFromQuantity: null }, to: { locationId: 'loc_wh_eu', name: 'AVAILABLE', changeFromQuantity: eu.available } }],
      }))
      assert.deepEqual(userErrors, [])
      assert.equal((await levelSnapshot(t.app, s.sku, s.locationId)).quantities['AVAILABLE'], s.available - 6)
      assert.equal((await levelSnapshot(t.app, s.sku, 'loc_wh_eu')).quantities['AVAILABLE'], eu.available + 6)
    })

    it('checks each side\'s changeFromQuantity on its own', async () => {
      const s = takeLevel()
      const line = { sku: s.sku, quantity: 1 }
      const { userErrors } = movePayload(await move({
        idempotencyKey: 'mv-cas', reason: 'MOVEMENT',
        moves: [
          { ...line, from: { locationId: s.locationId, name: 'AVAILABLE', changeFromQuantity: s.available + 1 }, to: { locationId: s.locationId, name: 'DAMAGED', changeFromQuantity: null } },
          { ...line, from: { locationId: s.locationId, name: 'AVAILABLE', changeFromQuantity: null }, to: { locationId: s.locationId, name: 'QUALITY_CONTROL' } },
        ],
      }))
      assert.deepEqual(userErrors, [
        { code: 'CHANGE_FROM_QUANTITY_STALE', field: ['input', 'moves', '0', 'from', 'changeFromQuantity'] },
        { code: 'CHANGE_FROM_QUANTITY_MISSING', field: ['input', 'moves', '1', 'to', 'changeFromQuantity'] },
      ])
      assert.equal((await levelSnapshot(t.app, s.sku, s.locationId)).quantities['AVAILABLE'], s.available)
    })

    it('reports invalid moves with the path to each', async () => {
      const s = takeLevel()
      const side = (over: Record<string, unknown> = {}) => ({ locationId: s.locationId, name: 'AVAILABLE', changeFromQuantity: null, ...over })
      const { userErrors } = movePayload(await move({
        idempotencyKey: 'mv-invalid', reason: 'MOVEMENT',
        moves: [
          { sku: s.sku, quantity: s.available + 1, from: side(), to: side({ name: 'DAMAGED' }) },
          { sku: s.sku, quantity: 0, from: side(), to: side({ name: 'DAMAGED' }) },
          { sku: s.sku, quantity: 1, from: side({ name: 'ON_HAND' }), to: side({ name: 'RESERVED' }) },
          { sku: s.sku, quantity: 1, from: side(), to: side() },
          { sku: 'NOPE-1', quantity: 1, from: side(), to: side({ locationId: 'loc_wh_eu' }) },
          { sku: notAtStore, quantity: 1, from: side({ locationId: 'loc_wh_eu' }), to: side({ locationId: 'loc_store_nyc' }) },
          { sku: s.sku, quantity: 1, from: side(), to: side({ locationId: 'loc_nowhere' }) },
        ],
      }))
      assert.deepEqual(userErrors, [
        { code: 'INVALID_QUANTITY', field: ['input', 'moves', '1', 'quantity'] },
        { code: 'INVALID_QUANTITY_NAME', field: ['input', 'moves', '2', 'from', 'name'] },
        { code: 'INVALID_QUANTITY_NAME', field: ['input', 'moves', '2', 'to', 'name'] },
        { code: 'INVALID_MOVE', field: ['input', 'moves', '3', 'to'] },
        { code: 'INSUFFICIENT_AVAILABLE', field: ['input', 'moves', '0', 'quantity'] },
        { code: 'UNKNOWN_SKU', field: ['input', 'moves', '4', 'sku'] },
        { code: 'ITEM_NOT_STOCKED_AT_LOCATION', field: ['input', 'moves', '5', 'to', 'locationId'] },
        { code: 'UNKNOWN_LOCATION', field: ['input', 'moves', '6', 'to', 'locationId'] },
      ])
    })

    it('replays by key and is for staff only', async () => {
      const s = takeLevel()
      const input = { idempotencyKey: 'mv-replay', reason: 'MOVEMENT', moves: [{ sku: s.sku, quantity: 2, from: { locationId: s.locationId, name: 'AVAILABLE', changeFromQuantity: null }, to: { locationId: s.locationId, name: 'SAFETY_STOCK', changeFromQuantity: null } }] }
      const first = movePayload(await move(input))
      assert.deepEqual(movePayload(await move(input)), first)
      assert.equal((await levelSnapshot(t.app, s.sku, s.locationId)).quantities['AVAILABLE'], s.available - 2)
      const anonymous = await execute(t.app, MOVE, { input }, ANONYMOUS)
      assert.equal(anonymous.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
      const customerMove = await execute(t.app, MOVE, { input }, customer('c_1001'))
      assert.equal(customerMove.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    })
  })
})
