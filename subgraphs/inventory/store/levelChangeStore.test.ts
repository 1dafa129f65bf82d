import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildWorld } from '../../../seed/world.ts'
import { inventoryDatabaseForSuite } from '../testSupport.ts'
import { applyLevelChanges } from './levelChangeStore.ts'
import { adjustmentChangesByGroupIds, adjustmentGroupsByIds } from './ledgerStore.ts'
import { lockLevels } from './levelStore.ts'

const world = buildWorld()
const plain = world.stockLevels.filter((s) => s.locationId === 'loc_wh_eu' && s.available >= 10 && s.reserved === 0 && s.damaged === 0)
const [a, b, c] = plain as [(typeof plain)[0], (typeof plain)[0], (typeof plain)[0]]

describe('applyLevelChanges', () => {
  const t = inventoryDatabaseForSuite()

  const levelOf = async (sku: string, locationId: string) => {
    const [level] = await lockLevels(t.db, [{ sku, locationId }])
    if (!level) throw new Error(`no level ${sku}@${locationId}`)
    return level
  }
  const maxVersion = async () => BigInt((await t.db.query<{ v: string }>(`select max(version)::text as v from inventory.inventory_levels`)).rows[0]?.v ?? '0')

  it('gives every changed level a new version from one global sequence and records the group', async () => {
    const highest = await maxVersion()
    const result = await t.db.transaction((tx) =>
      applyLevelChanges(tx, {
        reason: 'CORRECTION', referenceDocumentUri: 'gid://wms/Count/1', actor: 'staff_1',
        changes: [
          { sku: a.sku, locationId: a.locationId, name: 'AVAILABLE', delta: -2 },
          { sku: b.sku, locationId: b.locationId, name: 'DAMAGED', delta: 1 },
          { sku: a.sku, locationId: a.locationId, name: 'DAMAGED', delta: 2 },
        ],
      }),
    )
    assert.equal(result.kind, 'applied')
    if (result.kind !== 'applied') return
    const versions = result.levels.map((l) => BigInt(l.version))
    assert.ok(versions.every((v) => v > highest))
    assert.equal(new Set(versions).size, 2)
    const levelA = result.levels.find((l) => l.sku === a.sku)
    assert.deepEqual([levelA?.before.AVAILABLE, levelA?.after.AVAILABLE, levelA?.before.DAMAGED, levelA?.after.DAMAGED], [a.available, a.available - 2, 0, 2])

    const [group] = await adjustmentGroupsByIds(t.db, [result.groupId])
    assert.deepEqual([group?.reason, group?.referenceDocumentUri], ['CORRECTION', 'gid://wms/Count/1'])
    const changes = await adjustmentChangesByGroupIds(t.db, [result.groupId])
    assert.deepEqual(changes.map((ch) => [ch.sku, ch.name, ch.delta, ch.quantityAfterChange]), [
      [a.sku, 'AVAILABLE', -2, a.available - 2],
      [b.sku, 'DAMAGED', 1, 1],
      [a.sku, 'DAMAGED', 2, 2],
    ])

    const again = await t.db.transaction((tx) => applyLevelChanges(tx, { reason: 'OTHER', referenceDocumentUri: null, actor: null, changes: [{ sku: a.sku, locationId: a.locationId, name: 'AVAILABLE', delta: 1 }] }))
    assert.ok(again.kind === 'applied' && BigInt(again.levels[0]?.version ?? 0) > (versions[0] ?? 0n))
  })

  it('changes nothing when one level would go below zero, and names that level', async () => {
    const beforeC = await levelOf(c.sku, c.locationId)
    const beforeB = await levelOf(b.sku, b.locationId)
    const groups = (await t.db.query(`select id from inventory.adjustment_groups`)).rowCount
    const result = await t.db.transaction((tx) =>
      applyLevelChanges(tx, {
        reason: 'RESERVATION', referenceDocumentUri: null, actor: null,
        changes: [
          { sku: c.sku, locationId: c.locationId, name: 'AVAILABLE', delta: -1 },
          { sku: b.sku, locationId: b.locationId, name: 'RESERVED', delta: -1 },
        ],
      }),
    )
    assert.deepEqual(result, { kind: 'rejected', levels: [{ sku: b.sku, locationId: b.locationId }] })
    assert.deepEqual(await levelOf(c.sku, c.locationId), beforeC)
    assert.deepEqual(await levelOf(b.sku, b.locationId), beforeB)
    assert.equal((await t.db.query(`select id from inventory.adjustment_groups`)).rowCount, groups)
  })

  it('leaves the database refusing negative quantities even when code tries', async () => {
    await assert.rejects(t.db.query(`update inventory.inventory_levels set available = -1 where sku = $1 and location_id = $2`, [c.sku, c.locationId]), /check constraint/)
  })

  it('keeps the ledger append-only', async () => {
    await assert.rejects(t.db.query(`update inventory.adjustment_groups set reason = 'OTHER'`), /append-only/)
    await assert.rejects(t.db.query(`delete from inventory.adjustment_changes`), /append-only/)
  })
})
