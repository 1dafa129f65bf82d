import { headerTokens, jaroWinkler } from './names.ts'
import { unitOfWord } from './units.ts'

/** A header's or a phrase's words, joined both ways once: matching runs for every field, column and synonym. */
interface Words {
  readonly tokens: readonly string[]
  readonly spaced: string
  readonly compact: string
}

const wordsOf = (tokens: readonly string[]): Words => ({ tokens, spaced: tokens.join(' '), compact: tokens.join('') })

// keyed by the token arrays themselves: a profile's columns are read many times, then dropped
const HEADERS = new WeakMap<readonly string[], Words>()
// the synonym phrases are a fixed set (fields.ts)
const PHRASES = new Map<string, Words>()

/**
 * How well a header's words (names.ts) match a synonym phrase, in [0, 1]: 1 when they are the
 * same words; 0.7 to 0.95 when the header holds every word of the phrase, less for each extra
 * word (a unit word is no extra: `Qty (cases)` is a `qty`); else 0.85 × Jaro-Winkler when that is
 * at least 0.9 (`qnty`, `warehous`); else 0.
 */
export function phraseScore(header: readonly string[], phrase: string): number {
  let h = HEADERS.get(header)
  if (!h) HEADERS.set(header, (h = wordsOf(header)))
  let p = PHRASES.get(phrase)
  if (!p) PHRASES.set(phrase, (p = wordsOf(headerTokens(phrase))))
  if (h.tokens.length === 0 || p.tokens.length === 0) return 0
  if (h.spaced === p.spaced) return 1
  if (p.tokens.every((t) => h.tokens.includes(t))) {
    let extra = 0
    for (const t of h.tokens) if (!p.tokens.includes(t) && unitOfWord(t) === null) extra++
    return Math.max(0.7, 0.95 - 0.05 * extra)
  }
  const a = h.compact
  const b = p.compact
  // typos and abbreviations keep the first letter, and Jaro-Winkler reaches 0.9 only when the
  // shorter is at least half the longer: both spare most comparisons
  if (a[0] !== b[0] || Math.min(a.length, b.length) * 2 < Math.max(a.length, b.length)) return 0
  const similarity = jaroWinkler(a, b)
  return similarity >= 0.9 ? 0.85 * similarity : 0
}
