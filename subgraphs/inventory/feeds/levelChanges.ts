import type { InventoryQuantityName } from '../generated/resolvers.ts'
import type { RowErrorCode } from './rowErrors.ts'

/** A delta on one stored state of one level, as inventoryAdjustQuantities takes it. */
export interface LevelChange {
  readonly sku: string
  readonly locationId: string
  readonly name: InventoryQuantityName
  readonly delta: number
}

/** A level's quantities now, by state; a state not given is 0. */
export type CurrentLevel = Readonly<Partial<Record<InventoryQuantityName, number>>>
/** Current levels by level id, `<sku>@<locationId>` (InventoryLevel.id). */
export type CurrentLevels = ReadonlyMap<string, CurrentLevel>

export const levelKey = (sku: string, locationId: string): string => `${sku}@${locationId}`

/** One snapshot row's absolute quantity of one state at one level. */
export interface Reported {
  readonly row: number
  readonly sku: string
  readonly locationId: string
  readonly name: 'ON_HAND' | 'AVAILABLE' | 'DAMAGED' | 'SAFETY_STOCK' | 'QUALITY_CONTROL'
  readonly quantity: number
}

const SET_ASIDE = ['DAMAGED', 'SAFETY_STOCK', 'QUALITY_CONTROL'] as const
const STORED = ['AVAILABLE', ...SET_ASIDE] as const

/**
 * A snapshot's absolute quantities as deltas against the current levels. Rows of one state at
 * one level (lots of an item) add up. ON_HAND is the sum of the stored states, so reporting it
 * sets AVAILABLE to what is left once COMMITTED, RESERVED and the set-aside states (as reported,
 * or as they are) are taken out; ON_HAND below those is refused, as is ON_HAND with AVAILABLE.
 * States that come out unchanged give no change.
 */
export function snapshotChanges(reported: readonly Reported[], levels: CurrentLevels): { changes: LevelChange[]; errors: { row: number; code: RowErrorCode; reason: string }[] } {
  const byLevel = new Map<string, { sku: string; locationId: string; targets: Map<Reported['name'], { quantity: number; rows: number[] }> }>()
  for (const r of reported) {
    const key = levelKey(r.sku, r.locationId)
    let level = byLevel.get(key)
    if (!level) byLevel.set(key, (level = { sku: r.sku, locationId: r.locationId, targets: new Map() }))
    const target = level.targets.get(r.name)
    if (target) {
      target.quantity += r.quantity
      target.rows.push(r.row)
    } else level.targets.set(r.name, { quantity: r.quantity, rows: [r.row] })
  }
  const changes: LevelChange[] = []
  const errors: { row: number; code: RowErrorCode; reason: string }[] = []
  for (const [key, { sku, locationId, targets }] of byLevel) {
    const current = levels.get(key) ?? {}
    const now = (name: InventoryQuantityName) => current[name] ?? 0
    const onHand = targets.get('ON_HAND')
    const available = targets.get('AVAILABLE')
    if (onHand && available) {
      for (const row of [...onHand.rows, ...available.rows]) errors.push({ row, code: 'CONFLICTING_QUANTITIES', reason: `${sku} at ${locationId} is given as both ON_HAND and AVAILABLE` })
      continue
    }
    const wanted = new Map<InventoryQuantityName, number>(SET_ASIDE.map((name) => [name, targets.get(name)?.quantity ?? now(name)]))
    if (onHand) {
      const held = now('COMMITTED') + now('RESERVED') + SET_ASIDE.reduce((sum, name) => sum + wanted.get(name)!, 0)
      if (onHand.quantity < held) {
        for (const row of onHand.rows) errors.push({ row, code: 'ON_HAND_BELOW_HELD', reason: `ON_HAND ${onHand.quantity} of ${sku} at ${locationId} is below the ${held} units committed, reserved or set aside there` })
        continue
      }
      wanted.set('AVAILABLE', onHand.quantity - held)
    } else wanted.set('AVAILABLE', available?.quantity ?? now('AVAILABLE'))
    for (const name of STORED) {
      const delta = wanted.get(name)! - now(name)
      if (delta !== 0) changes.push({ sku, locationId, name, delta })
    }
  }
  return { changes, errors }
}

/** Shipped units as deltas: off COMMITTED for one of our orders (as a fulfillment is), else off AVAILABLE. */
export function shipmentChanges(shipped: readonly { sku: string; locationId: string; quantity: number; orderId: string | null }[]): LevelChange[] {
  const totals = new Map<string, LevelChange>()
  for (const s of shipped) {
    const name: InventoryQuantityName = s.orderId === null ? 'AVAILABLE' : 'COMMITTED'
    const key = `${levelKey(s.sku, s.locationId)}:${name}`
    const before = totals.get(key)
    totals.set(key, { sku: s.sku, locationId: s.locationId, name, delta: (before?.delta ?? 0) - s.quantity })
  }
  return [...totals.values()]
}
