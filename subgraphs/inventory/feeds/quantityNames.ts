import type { InventoryQuantityName } from '../generated/resolvers.ts'
import { headerTokens } from './names.ts'

/**
 * The quantities a stock snapshot may set. COMMITTED and RESERVED change only through orders and
 * reservations, INCOMING only through replenishments; ON_HAND is derived, and setting it moves
 * AVAILABLE (as inventoryAdjustQuantities reads it).
 */
export const SNAPSHOT_QUANTITY_NAMES = ['ON_HAND', 'AVAILABLE', 'DAMAGED', 'SAFETY_STOCK', 'QUALITY_CONTROL'] as const satisfies readonly InventoryQuantityName[]
export type SnapshotQuantityName = (typeof SNAPSHOT_QUANTITY_NAMES)[number]

export const QUANTITY_NAMES = ['AVAILABLE', 'ON_HAND', 'COMMITTED', 'RESERVED', 'INCOMING', 'DAMAGED', 'SAFETY_STOCK', 'QUALITY_CONTROL'] as const satisfies readonly InventoryQuantityName[]

/** How partners name stock states, in header words (names.ts) joined by a space. */
const STATE_WORDS: Readonly<Record<string, InventoryQuantityName>> = Object.freeze({
  'available': 'AVAILABLE', 'avail': 'AVAILABLE', 'sellable': 'AVAILABLE', 'saleable': 'AVAILABLE', 'fulfillable': 'AVAILABLE', 'free': 'AVAILABLE', 'atp': 'AVAILABLE', 'good': 'AVAILABLE', 'available to sell': 'AVAILABLE',
  'on hand': 'ON_HAND', 'onhand': 'ON_HAND', 'soh': 'ON_HAND', 'stock on hand': 'ON_HAND', 'physical': 'ON_HAND', 'total': 'ON_HAND', 'in stock': 'ON_HAND',
  'damaged': 'DAMAGED', 'damage': 'DAMAGED', 'unsellable': 'DAMAGED', 'unfulfillable': 'DAMAGED', 'defective': 'DAMAGED', 'broken': 'DAMAGED',
  'safety stock': 'SAFETY_STOCK', 'safety': 'SAFETY_STOCK', 'buffer': 'SAFETY_STOCK',
  'quality control': 'QUALITY_CONTROL', 'qc': 'QUALITY_CONTROL', 'quarantine': 'QUALITY_CONTROL', 'inspection': 'QUALITY_CONTROL', 'hold': 'QUALITY_CONTROL', 'on hold': 'QUALITY_CONTROL',
  'committed': 'COMMITTED', 'allocated': 'COMMITTED',
  'reserved': 'RESERVED',
  'incoming': 'INCOMING', 'inbound': 'INCOMING', 'in transit': 'INCOMING', 'on order': 'INCOMING', 'expected': 'INCOMING',
})

/** The state a value names (`Sellable`, `on-hand`, `DAMAGED`, `QC`), or null. */
export function quantityNameOf(text: string): InventoryQuantityName | null {
  return STATE_WORDS[headerTokens(text).join(' ')] ?? null
}

/** A state named by some words of a header (`quantity.sellable`, `Qty On Hand`), or null. */
export function quantityNameInTokens(tokens: readonly string[]): InventoryQuantityName | null {
  for (let size = 3; size >= 1; size--) {
    for (let i = 0; i + size <= tokens.length; i++) {
      const name = STATE_WORDS[tokens.slice(i, i + size).join(' ')]
      if (name) return name
    }
  }
  return null
}

export const isSnapshotQuantityName = (name: string): name is SnapshotQuantityName => (SNAPSHOT_QUANTITY_NAMES as readonly string[]).includes(name)
