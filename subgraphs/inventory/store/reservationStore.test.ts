import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { outboxPosition, readOutbox } from '../../../platform/testing.ts'
import { buildWorld } from '../../../seed/world.ts'
import { startReservationSweeper } from '../reservationSweeper.ts'
import { inventoryDatabaseForSuite } from '../testSupport.ts'
import { applyLevelChanges } from './levelChangeStore.ts'
import { lockLevels } from './levelStore.ts'
import { expireReservations, insertReservations, reservationsByIds } from './reservationStore.ts'

const world = buildWorld()
const plain = world.stockLevels.filter((s) => s.locationId === 'loc_wh_east' && s.available >= 10 && s.reserved === 0)

describe('reservation expiry', () => {
  const t = inventoryDatabaseForSuite()

  /** Reserves `quantity` of each level for `ttlSeconds`, the way inventoryReserve does. */
  const hold = (levels: typeof plain, quantity: number, ttlSeconds: number, prefix: string) =>
    t.db.transaction(async (tx) => {
      const applied = await applyLevelChanges(tx, {
        reason: 'RESERVATION', referenceDocumentUri: 'gid://test/Hold/1', actor: null,
        changes: levels.flatMap((l) => [
          { sku: l.sku, locationId: l.locationId, name: 'AVAILABLE' as const, delta: -quantity },
          { sku: l.sku, locationId: l.locationId, name: 'RESERVED' as const, delta: quantity },
        ]),
      })
      assert.equal(applied.kind, 'applied')
      const reservations = levels.map((l, i) => ({ id: `${prefix}_${i}`, sku: l.sku, locationId: l.locationId, quantity }))
      await insertReservations(tx, reservations, { ttlSeconds, referenceDocumentUri: 'gid://test/Hold/1' })
      return reservations.map((r) => r.id)
    })
  const quantitiesOf = async (level: (typeof plain)[0]) => (await lockLevels(t.db, [level]))[0]?.quantities

  it('expires each reservation exactly once when two sweepers run at once, returning its stock', async () => {
    const levels = plain.slice(0, 4)
    const ids = await hold(levels, 3, 60, 'res_sweep')
    const later = new Date(Date.now() + 120_000)
    const [first, second] = await Promise.all([expireReservations(t.db, later), expireReservations(t.db, later)])
    const expired = [...(first ?? []), ...(second ?? [])].map((r) => r.id).filter((id) => ids.includes(id))
    assert.deepEqual(expired.sort(), [...ids].sort())
    for (const r of await reservationsByIds(t.db, ids)) assert.equal(r.status, 'EXPIRED')
    for (const level of levels) {
      const q = await quantitiesOf(level)
      assert.deepEqual([q?.AVAILABLE, q?.RESERVED], [level.available, 0])
    }
    const ledger = await t.db.query<{ n: number }>(
      `select count(*)::int as n from inventory.adjustment_groups g where g.actor = 'system:reservation-expiry' and g.reference_document_uri = 'gid://test/Hold/1'`,
    )
    assert.equal(ledger.rows[0]?.n, ids.length)
  })

  it('emits exactly one StockLevelChanged per level when two sweepers race', async () => {
    const levels = plain.slice(6, 9)
    await hold(levels, 2, 60, 'res_race')
    const mark = await outboxPosition(t.db, 'inventory')
    const later = new Date(Date.now() + 120_000)
    await Promise.all([expireReservations(t.db, later), expireReservations(t.db, later)])
    const events = await readOutbox(t.db, 'inventory', { type: 'StockLevelChanged', afterPosition: mark })
    const ours = events.filter((e) => levels.some((l) => e.aggregateId === `${l.sku}@${l.locationId}`))
    assert.deepEqual(
      ours.map((e) => [e.aggregateId, e.payload.reason, e.payload.changes]).sort(),
      levels.map((l) => [`${l.sku}@${l.locationId}`, 'RESERVATION', [
        { name: 'AVAILABLE', before: l.available - 2, after: l.available },
        { name: 'RESERVED', before: 2, after: 0 },
      ]]).sort(),
    )
  })

  it('leaves reservations that have not expired, and seeded long holds, alone', async () => {
    const ids = await hold(plain.slice(4, 5), 1, 600, 'res_young')
    const expired = await expireReservations(t.db, new Date(Date.now() + 60_000))
    assert.deepEqual(expired.filter((r) => ids.includes(r.id) || r.id.startsWith('res_00')), [])
    assert.equal((await reservationsByIds(t.db, ids))[0]?.status, 'ACTIVE')
  })

  it('is run by the app on a timer that stops when asked', async () => {
    const [level] = plain.slice(5, 6)
    assert.ok(level)
    const ids = await hold([level], 2, 60, 'res_timer')
    await t.db.query(`update inventory.reservations set expires_at = now() - interval '1 second' where id = any($1::text[])`, [ids])
    const sweeper = startReservationSweeper(t.db, { info: () => {}, error: () => {} }, 20)
    try {
      for (let i = 0; i < 100 && (await reservationsByIds(t.db, ids))[0]?.status === 'ACTIVE'; i++) await sleep(20)
    } finally {
      await sweeper.stop()
    }
    assert.equal((await reservationsByIds(t.db, ids))[0]?.status, 'EXPIRED')
    assert.equal((await quantitiesOf(level))?.AVAILABLE, level.available)
  })
})
