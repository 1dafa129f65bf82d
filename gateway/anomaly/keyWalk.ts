/**
 * Whether one step between two identifiers looks like walking a catalogue rather than browsing it.
 * A walker enumerates: SKU-00041 → SKU-00042, prod_0099 → prod_0100, or handles in the order a
 * full listing returns them. A shopper jumps between the few products that caught their eye, so
 * about half of their steps ascend by chance and almost none are numerically adjacent.
 */

/** Runs of digits and of everything else: 'TOP-0041-RED' → ['TOP-', '0041', '-RED']. */
const RUNS = /\d+|\D+/g
const DIGITS = /^\d+$/

function runsOf(key: string): string[] {
  return key.match(RUNS) ?? []
}

function isDigits(run: string): boolean {
  return DIGITS.test(run)
}

/** Compares digit runs by value without parsing: '0099' < '100'. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '')
  const y = b.replace(/^0+/, '')
  if (x.length !== y.length) return x.length - y.length
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * Natural order: digit runs compare by value, the rest by code unit, so SKU-9 comes before SKU-10
 * (plain string order would call that step a descent and miss an unpadded walk).
 */
export function compareNatural(a: string, b: string): number {
  const ra = runsOf(a)
  const rb = runsOf(b)
  const shared = Math.min(ra.length, rb.length)
  for (let i = 0; i < shared; i++) {
    const x = ra[i] as string
    const y = rb[i] as string
    if (x === y) continue
    if (isDigits(x) && isDigits(y)) {
      const byValue = compareDigits(x, y)
      if (byValue !== 0) return byValue
      continue
    }
    return x < y ? -1 : 1
  }
  return ra.length - rb.length
}

/**
 * Same shape, and exactly one number differs, by one, either way: SKU-00041 ↔ SKU-00042,
 * TOP-0009-RED → TOP-0010-RED. Numbers are compared as BigInt: identifiers can be longer than a
 * double holds exactly.
 */
export function isAdjacent(a: string, b: string): boolean {
  const ra = runsOf(a)
  const rb = runsOf(b)
  if (ra.length !== rb.length) return false
  let differing = 0
  for (let i = 0; i < ra.length; i++) {
    const x = ra[i] as string
    const y = rb[i] as string
    if (x === y) continue
    if (!isDigits(x) || !isDigits(y)) return false
    differing++
    if (differing > 1) return false
    const gap = BigInt(x) - BigInt(y)
    if (gap !== 1n && gap !== -1n) return false
  }
  return differing === 1
}

/** One step of a walk: adjacent, or ascending in natural order. */
export function isSequentialStep(previous: string, next: string): boolean {
  return isAdjacent(previous, next) || compareNatural(previous, next) < 0
}
