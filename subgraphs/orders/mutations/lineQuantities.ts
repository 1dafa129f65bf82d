import { kit } from '../kit.ts'
import type { OrderUserErrorModel } from '../models.ts'
import type { LinePosition, LineQuantity } from '../store/fulfillmentOrderStore.ts'

export interface LineQuantityRules {
  /** Why a line item that is not among `positions` cannot be used. */
  readonly missing: string
  /** How many units of the line are left to act on. */
  readonly left: (position: LinePosition) => number
  readonly exceeds: (position: LinePosition, left: number) => string
}

/**
 * The userErrors of a `[LineQuantityInput!]!` (fulfillment or return lines) against where each
 * line item stands, every problem at once, with its path into the input.
 */
export function checkLineQuantities(
  lines: readonly LineQuantity[],
  positions: readonly LinePosition[],
  rules: LineQuantityRules,
): OrderUserErrorModel[] {
  if (lines.length === 0) return [kit.userError('INVALID', ['input', 'lines'], 'Give at least one line')]
  const byId = new Map(positions.map((p) => [p.lineItemId, p]))
  const seen = new Set<string>()
  const errors: OrderUserErrorModel[] = []
  lines.forEach((line, i) => {
    const position = byId.get(line.lineItemId)
    const at = ['input', 'lines', i]
    if (!position) errors.push(kit.userError('NOT_FOUND', [...at, 'lineItemId'], rules.missing))
    else if (seen.has(line.lineItemId)) errors.push(kit.userError('INVALID', [...at, 'lineItemId'], 'This line item is listed twice'))
    else if (line.quantity <= 0) errors.push(kit.userError('INVALID', [...at, 'quantity'], 'Quantity must be positive'))
    else {
      const left = rules.left(position)
      if (line.quantity > left) errors.push(kit.userError('QUANTITY_EXCEEDS_FULFILLABLE', [...at, 'quantity'], rules.exceeds(position, left)))
    }
    seen.add(line.lineItemId)
  })
  return errors
}

/** The userErrors of the lines a conditional update refused: those missing from the line items it `counted`. */
export function refusedLines(lines: readonly LineQuantity[], counted: readonly string[], message: string): OrderUserErrorModel[] {
  const done = new Set(counted)
  return lines.flatMap((line, i) =>
    done.has(line.lineItemId) ? [] : [kit.userError('QUANTITY_EXCEEDS_FULFILLABLE', ['input', 'lines', i, 'quantity'], message)],
  )
}

/** How many units the lines move, for the timeline: "1 item", "3 items". */
export function itemCount(lines: readonly LineQuantity[]): string {
  const units = lines.reduce((sum, line) => sum + line.quantity, 0)
  return `${units} item${units === 1 ? '' : 's'}`
}
