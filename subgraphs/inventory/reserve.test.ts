import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { customer, execute, partner, staff, testConfig } from '../../platform/testing.ts'
import { ANONYMOUS } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { inventoryAppForSuite, ledgerGroupCount, levelSnapshot } from './testSupport.ts'

const world = buildWorld()
const ONLINE = ['loc_wh_east', 'loc_wh_eu']
// skus whose levels only these tests touch, each with plenty AVAILABLE at both warehouses
const plainSkus = [...new Set(world.stockLevels.map((s) => s.sku))].filter((sku) =>
  ONLINE.every((loc) => world.stockLevels.some((s) => s.sku === sku && s.locationId === loc && s.available >= 20 && s.reserved === 0)),
)
let nextSku = 0
const takeSku = () => {
  const sku = plainSkus[nextSku++]
  if (!sku) throw new Error('the world ran out of plain skus')
  return sku
}
const seeded = (sku: string, locationId: string) => {
  const level = world.stockLevels.find((s) => s.sku === sku && s.locationId === locationId)
  if (!level) throw new Error(`no seeded level ${sku}@${locationId}`)
  return level
}

const RESERVE = `mutation($input: InventoryReserveInput!) { inventoryReserve(input: $input) {
  reservations { id item { sku } location { id } quantity status expiresAt referenceDocumentUri }
  userErrors { code field message } } }`
const RELEASE = `mutation($id: ID!, $key: ID!) { inventoryReleaseReservation(id: $id, idempotencyKey: $key) {
  reservations { id status quantity } userErrors { code field } } }`

describe('inventoryReserve and inventoryReleaseReservation', () => {
  const t = inventoryAppForSuite()
  const reserve = async (input: Record<string, unknown>, who = staff()) => {
    const response = await execute(t.app, RESERVE, { input: { referenceDocumentUri: 'gid://orders/Cart/1', ...input } }, who)
    return { ...response, payload: response.data?.['inventoryReserve'] }
  }
  const release = async (id: string, key: string, who = staff()) => {
    const response = await execute(t.app, RELEASE, { id, key }, who)
    return { ...response, payload: response.data?.['inventoryReleaseReservation'] }
  }

  it('moves AVAILABLE to RESERVED for every line and writes one ledger group', async () => {
    const [a, b] = [takeSku(), takeSku()] as [string, string]
    const groups = await ledgerGroupCount(t.test.db)
    const startedAt = Date.now()
    const { payload } = await reserve({
      idempotencyKey: 'res-ok', referenceDocumentUri: 'gid://orders/Cart/42', ttlSeconds: 600,
      lines: [{ sku: a, quantity: 3, locationId: 'loc_wh_eu' }, { sku: b, quantity: 2, locationId: 'loc_wh_east' }],
    })
    assert.deepEqual(payload.userErrors, [])
    assert.deepEqual(payload.reservations.map((r: any) => [r.item.sku, r.location.id, r.quantity, r.status, r.referenceDocumentUri]), [
      [a, 'loc_wh_eu', 3, 'ACTIVE', 'gid://orders/Cart/42'],
      [b, 'loc_wh_east', 2, 'ACTIVE', 'gid://orders/Cart/42'],
    ])
    const expiresIn = Date.parse(payload.reservations[0].expiresAt) - startedAt
    assert.ok(expiresIn > 590_000 && expiresIn <= 601_000, `expires in ${expiresIn} ms`)
    const levelA = await levelSnapshot(t.app, a, 'loc_wh_eu')
    assert.equal(levelA.quantities['AVAILABLE'], seeded(a, 'loc_wh_eu').available - 3)
    assert.equal(levelA.quantities['RESERVED'], 3)
    assert.equal(levelA.quantities['ON_HAND'], seeded(a, 'loc_wh_eu').available + seeded(a, 'loc_wh_eu').safetyStock + seeded(a, 'loc_wh_eu').damaged + seeded(a, 'loc_wh_eu').qualityControl + seeded(a, 'loc_wh_eu').committed)
    assert.equal((await levelSnapshot(t.app, b, 'loc_wh_east')).quantities['RESERVED'], 2)
    assert.equal(await ledgerGroupCount(t.test.db), groups + 1)
  })

  it('expires after the configured default TTL when none is given', async () => {
    const sku = takeSku()
    const startedAt = Date.now()
    const { payload } = await reserve({ idempotencyKey: 'res-ttl', lines: [{ sku, quantity: 1, locationId: 'loc_wh_east' }] })
    const expiresIn = Date.parse(payload.reservations[0].expiresAt) - startedAt
    assert.ok(Math.abs(expiresIn - testConfig.reservationTtlSeconds * 1000) < 5_000, `expires in ${expiresIn} ms`)
  })

  it('places a line without a location at the online location with the most AVAILABLE', async () => {
    const sku = takeSku()
    const best = ONLINE.map((loc) => seeded(sku, loc)).sort((x, y) => y.available - x.available)[0]
    assert.ok(best)
    const { payload } = await reserve({ idempotencyKey: 'res-auto', lines: [{ sku, quantity: 5 }] })
    assert.deepEqual(payload.reservations.map((r: any) => r.location.id), [best.locationId])
    assert.equal((await levelSnapshot(t.app, sku, best.locationId)).quantities['AVAILABLE'], best.available - 5)
  })

  it('reserves nothing when any line is short, and reports every short line', async () => {
    const [a, b, c] = [takeSku(), takeSku(), takeSku()] as [string, string, string]
    const groups = await ledgerGroupCount(t.test.db)
    const { payload } = await reserve({
      idempotencyKey: 'res-short',
      lines: [
        { sku: a, quantity: 1, locationId: 'loc_wh_east' },
        { sku: b, quantity: seeded(b, 'loc_wh_east').available + 1, locationId: 'loc_wh_east' },
        { sku: c, quantity: 100_000 },
      ],
    })
    assert.equal(payload.reservations, null)
    assert.deepEqual(payload.userErrors.map((e: any) => [e.code, e.field]), [
      ['INSUFFICIENT_AVAILABLE', ['input', 'lines', '1', 'quantity']],
      ['INSUFFICIENT_AVAILABLE', ['input', 'lines', '2', 'quantity']],
    ])
    assert.equal((await levelSnapshot(t.app, a, 'loc_wh_east')).quantities['AVAILABLE'], seeded(a, 'loc_wh_east').available)
    assert.equal(await ledgerGroupCount(t.test.db), groups)
  })

  it('reports a short line found by the conditional update, when lines share a level', async () => {
    const sku = takeSku()
    const available = seeded(sku, 'loc_wh_east').available
    const { payload } = await reserve({
      idempotencyKey: 'res-shared',
      lines: [{ sku, quantity: available, locationId: 'loc_wh_east' }, { sku, quantity: 1, locationId: 'loc_wh_east' }],
    })
    assert.deepEqual(payload.userErrors.map((e: any) => [e.code, e.field]), [
      ['INSUFFICIENT_AVAILABLE', ['input', 'lines', '0', 'quantity']],
      ['INSUFFICIENT_AVAILABLE', ['input', 'lines', '1', 'quantity']],
    ])
    assert.equal((await levelSnapshot(t.app, sku, 'loc_wh_east')).quantities['AVAILABLE'], available)
  })

  it('reports invalid lines with the path to each', async () => {
    const sku = takeSku()
    await t.test.db.query(`insert into inventory.locations (id, name, type, active, fulfills_online_orders, country_code) values ('loc_closed', 'Closed Depot', 'WAREHOUSE', false, true, 'US')`)
    await t.test.db.query(`insert into inventory.inventory_levels (sku, location_id, available) values ($1, 'loc_closed', 50)`, [sku])
    const notAtStore = world.stockLevels.find((s) => s.sku.startsWith('ELC-'))?.sku
    const { payload } = await reserve({
      idempotencyKey: 'res-invalid', ttlSeconds: 60,
      lines: [
        { sku: 'NOPE-1', quantity: 1 },
        { sku, quantity: 1, locationId: 'loc_nowhere' },
        { sku, quantity: 1, locationId: 'loc_closed' },
        { sku: notAtStore, quantity: 1, locationId: 'loc_store_nyc' },
        { sku, quantity: 1, locationId: 'loc_wh_east' },
      ],
    })
    assert.deepEqual(payload.userErrors.map((e: any) => [e.code, e.field]), [
      ['UNKNOWN_SKU', ['input', 'lines', '0', 'sku']],
      ['UNKNOWN_LOCATION', ['input', 'lines', '1', 'locationId']],
      ['LOCATION_INACTIVE', ['input', 'lines', '2', 'locationId']],
      ['ITEM_NOT_STOCKED_AT_LOCATION', ['input', 'lines', '3', 'locationId']],
    ])
    const invalid = await reserve({ idempotencyKey: 'res-invalid-2', ttlSeconds: 0, lines: [{ sku, quantity: 0 }, { sku, quantity: -2 }] })
    assert.deepEqual(invalid.payload.userErrors.map((e: any) => [e.code, e.field]), [
      ['INVALID_TTL', ['input', 'ttlSeconds']],
      ['INVALID_QUANTITY', ['input', 'lines', '0', 'quantity']],
      ['INVALID_QUANTITY', ['input', 'lines', '1', 'quantity']],
    ])
    const empty = await reserve({ idempotencyKey: 'res-empty', lines: [] })
    assert.deepEqual(empty.payload.userErrors.map((e: any) => [e.code, e.field]), [['NO_CHANGES', ['input', 'lines']]])
  })

  it('replays the same key and input, and refuses the key with another input', async () => {
    const sku = takeSku()
    const input = { idempotencyKey: 'res-replay', lines: [{ sku, quantity: 2, locationId: 'loc_wh_east' }] }
    const first = await reserve(input)
    const second = await reserve(input)
    assert.deepEqual(second.payload, first.payload)
    assert.equal((await levelSnapshot(t.app, sku, 'loc_wh_east')).quantities['RESERVED'], 2)
    const reused = await reserve({ ...input, lines: [{ sku, quantity: 3, locationId: 'loc_wh_east' }] })
    assert.deepEqual(reused.payload, { reservations: null, userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'], message: 'This idempotency key was used for another request' }] })
  })

  it('is for staff only', async () => {
    const input = { idempotencyKey: 'res-who', lines: [{ sku: takeSku(), quantity: 1 }] }
    assert.equal((await reserve(input, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await reserve(input, customer('c_1001'))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    assert.equal((await reserve(input, partner())).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    assert.equal((await release('res_0001', 'rel-who', partner())).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
  })

  it('lets exactly 10 of 50 concurrent one-unit reservations through on a level with 10 AVAILABLE', async () => {
    const sku = takeSku()
    const level = seeded(sku, 'loc_wh_east')
    const set = await execute(t.app, `mutation($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }`, {
      input: { idempotencyKey: 'res-race-setup', reason: 'CORRECTION', changes: [{ sku, locationId: 'loc_wh_east', name: 'AVAILABLE', delta: 10 - level.available, changeFromQuantity: level.available }] },
    }, staff())
    assert.deepEqual(set.data?.['inventoryAdjustQuantities'].userErrors, [])
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => reserve({ idempotencyKey: `res-race-${i}`, referenceDocumentUri: `gid://orders/Cart/race-${i}`, lines: [{ sku, quantity: 1, locationId: 'loc_wh_east' }] })),
    )
    const succeeded = outcomes.filter((o) => o.payload?.reservations?.length === 1)
    const short = outcomes.filter((o) => o.payload?.userErrors?.[0]?.code === 'INSUFFICIENT_AVAILABLE')
    assert.equal(succeeded.length, 10)
    assert.equal(short.length, 40)
    const after = await levelSnapshot(t.app, sku, 'loc_wh_east')
    assert.equal(after.quantities['AVAILABLE'], 0)
    assert.equal(after.quantities['RESERVED'], level.reserved + 10)
  })

  describe('release', () => {
    it('returns a reservation\'s units to AVAILABLE once, and answers a second release unchanged', async () => {
      const sku = takeSku()
      const { payload } = await reserve({ idempotencyKey: 'rel-setup', lines: [{ sku, quantity: 4, locationId: 'loc_wh_eu' }] })
      const id = payload.reservations[0].id
      const groups = await ledgerGroupCount(t.test.db)
      const released = await release(id, 'rel-1')
      assert.deepEqual(released.payload, { reservations: [{ id, status: 'RELEASED', quantity: 4 }], userErrors: [] })
      const again = await release(id, 'rel-2')
      assert.deepEqual(again.payload, { reservations: [{ id, status: 'RELEASED', quantity: 4 }], userErrors: [] })
      const level = await levelSnapshot(t.app, sku, 'loc_wh_eu')
      assert.equal(level.quantities['AVAILABLE'], seeded(sku, 'loc_wh_eu').available)
      assert.equal(level.quantities['RESERVED'], 0)
      assert.equal(await ledgerGroupCount(t.test.db), groups + 1)
    })

    it('releases a seeded reservation and replays the release by key', async () => {
      const r = world.reservations[2]
      assert.ok(r)
      const before = await levelSnapshot(t.app, r.sku, r.locationId)
      const first = await release(r.id, 'rel-seeded')
      const replay = await release(r.id, 'rel-seeded')
      assert.deepEqual(replay.payload, first.payload)
      const after = await levelSnapshot(t.app, r.sku, r.locationId)
      assert.equal(after.quantities['AVAILABLE'], (before.quantities['AVAILABLE'] ?? NaN) + r.quantity)
      assert.equal(after.quantities['RESERVED'], (before.quantities['RESERVED'] ?? NaN) - r.quantity)
    })

    it('refuses an expired, a consumed and an unknown reservation', async () => {
      const sku = takeSku()
      const { payload } = await reserve({ idempotencyKey: 'rel-states', lines: [{ sku, quantity: 1, locationId: 'loc_wh_east' }, { sku, quantity: 1, locationId: 'loc_wh_eu' }] })
      const [pastExpiry, consumed] = payload.reservations.map((r: any) => r.id)
      await t.test.db.query(`update inventory.reservations set expires_at = now() - interval '1 second' where id = $1`, [pastExpiry])
      await t.test.db.query(`update inventory.reservations set status = 'CONSUMED' where id = $1`, [consumed])
      assert.deepEqual((await release(pastExpiry, 'rel-expired')).payload, { reservations: null, userErrors: [{ code: 'RESERVATION_EXPIRED', field: ['id'] }] })
      await t.test.db.query(`update inventory.reservations set status = 'EXPIRED' where id = $1`, [pastExpiry])
      assert.deepEqual((await release(pastExpiry, 'rel-expired-2')).payload, { reservations: null, userErrors: [{ code: 'RESERVATION_EXPIRED', field: ['id'] }] })
      assert.deepEqual((await release(consumed, 'rel-consumed')).payload, { reservations: null, userErrors: [{ code: 'RESERVATION_CONSUMED', field: ['id'] }] })
      assert.deepEqual((await release('res_none', 'rel-unknown')).payload, { reservations: null, userErrors: [{ code: 'UNKNOWN_RESERVATION', field: ['id'] }] })
    })
  })
})
