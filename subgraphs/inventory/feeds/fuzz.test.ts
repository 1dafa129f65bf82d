import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { applyMapping, type ApplyContext } from './apply.ts'
import { FeedError } from './errors.ts'
import { FEED_KINDS } from './fields.ts'
import { readMapping, type FeedMapping } from './mapping.ts'
import { parseFeed } from './parse.ts'
import { profileFeed } from './profile.ts'
import { proposeMapping } from './propose.ts'

/** mulberry32: a seeded generator, so a failure replays. */
function seeded(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SAMPLES = ['3pl-stock-snapshot.csv', 'marketplace-inventory.json', 'shipment-confirmation.tsv', 'warehouse-levels.psv'].map((name) =>
  readFileSync(new URL(`./samples/${name}`, import.meta.url), 'utf8'),
)
const ALPHABET = [',', ';', '\t', '|', '"', '"', '\r', '\n', '\r\n', ' ', '{', '}', '[', ']', ':', '.', '-', '/', 'a', 'Z', '0', '7', '12', '\uFEFF', 'é', '\u0000', 'loc_wh_eu', 'APP-0001-S', '2026-10-01', '31/12/2026', '1790777100', 'cs', 'null', 'true']

const context: ApplyContext = {
  partnerId: 'fuzz',
  skus: new Set(['APP-0001-S', 'APP-0001-M', 'APP-0002-L', 'FTW-0045-42', 'HOM-0089-SLATE', 'ELC-0133-BLACK', 'OUT-0177-SMALL']),
  locationIds: new Set(['loc_wh_eu', 'loc_wh_east']),
  levels: new Map([['APP-0001-S@loc_wh_eu', { AVAILABLE: 3, COMMITTED: 1 }]]),
}
const CODES = { RTM: 'loc_wh_eu', NJ1: 'loc_wh_east', RTM1: 'loc_wh_eu', EWR2: 'loc_wh_east' }

type Outcome = 'refused' | 'batch' | 'rowErrors' | 'mappingRefused'

/** Runs the whole pipeline, saying how it ended; anything thrown must be a FeedError. */
function pipeline(input: string | Uint8Array, mappings: readonly FeedMapping[]): Set<Outcome> {
  const outcomes = new Set<Outcome>()
  try {
    const feed = parseFeed(input, { maxRows: 500, maxColumns: 60 })
    const profile = profileFeed(feed)
    const tried = [...mappings]
    for (const kind of FEED_KINDS) {
      const proposal = proposeMapping(profile, kind)
      assert.deepEqual(readMapping(JSON.parse(JSON.stringify(proposal.mapping))), proposal.mapping, 'a proposal is always a valid mapping')
      assert.ok(proposal.confidence >= 0 && proposal.confidence <= 1)
      tried.push(proposal.mapping)
    }
    for (const mapping of tried) {
      try {
        const result = applyMapping(mapping, feed, context)
        outcomes.add(result.ok ? 'batch' : 'rowErrors')
        if (!result.ok) {
          assert.ok(result.errors.length > 0)
          for (const e of result.errors) assert.ok(e.row >= 1 && e.row <= feed.rows.length, `row ${e.row} of ${feed.rows.length}`)
        }
      } catch (error) {
        if (!(error instanceof FeedError && error.code === 'FEED_MAPPING_INVALID')) throw error
        outcomes.add('mappingRefused')
      }
    }
  } catch (error) {
    if (!(error instanceof FeedError)) assert.fail(`untyped error on ${JSON.stringify(typeof input === 'string' ? input.slice(0, 200) : [...input.slice(0, 60)])}: ${String(error)}\n${(error as Error).stack}`)
    outcomes.add('refused')
  }
  return outcomes
}

function mutate(text: string, random: () => number): string {
  let out = text
  const edits = 1 + Math.floor(random() * 6)
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1))
    const piece = ALPHABET[Math.floor(random() * ALPHABET.length)]!
    const kind = random()
    if (kind < 0.4) out = out.slice(0, at) + piece + out.slice(at)
    else if (kind < 0.8) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 8))
    else out = out.slice(0, at) + out.slice(at, at + 40) + out.slice(at)
  }
  return out
}

function randomJson(random: () => number, depth: number): unknown {
  const r = random()
  if (depth > 3 || r < 0.3) return [null, true, 0, -1.5, 1790777100, 'APP-0001-S', 'loc_wh_eu', '2026-10-01T00:00:00Z', '12 pcs', ''][Math.floor(random() * 10)]
  if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1))
  return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, (_, i) => [['sku', 'qty', 'items', 'warehouse', 'at', `k${i}`][Math.floor(random() * 6)]!, randomJson(random, depth + 1)]))
}

describe('robustness', () => {
  const random = seeded(20261001)
  const approved = SAMPLES.flatMap((text) => {
    const profile = profileFeed(parseFeed(text))
    return FEED_KINDS.map((kind): FeedMapping => {
      const { mapping } = proposeMapping(profile, kind)
      const location = mapping.fields.locationId
      // approved as a reviewer would: the sample partners' location codes filled in
      return location?.transform.kind === 'location' ? { ...mapping, fields: { ...mapping.fields, locationId: { ...location, transform: { kind: 'location', codes: CODES } } } } : mapping
    })
  })

  it('throws nothing but FeedError on random bytes', () => {
    for (let i = 0; i < 150; i++) pipeline(Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)), [])
  })

  it('throws nothing but FeedError on random text of CSV and JSON punctuation', () => {
    for (let i = 0; i < 150; i++) pipeline(Array.from({ length: Math.floor(random() * 120) }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join(''), [])
  })

  it('throws nothing but FeedError on mutated sample feeds, under their own mappings', () => {
    const seen = new Set<Outcome>()
    for (let i = 0; i < 200; i++) for (const outcome of pipeline(mutate(SAMPLES[i % SAMPLES.length]!, random), approved)) seen.add(outcome)
    // the mutations reach every end: refused files, refused mappings, failing rows and whole batches
    assert.deepEqual([...seen].sort(), ['batch', 'mappingRefused', 'refused', 'rowErrors'])
  })

  it('throws nothing but FeedError on random JSON, whole or cut short', () => {
    for (let i = 0; i < 150; i++) {
      const json = JSON.stringify(randomJson(random, 0)) ?? 'null'
      pipeline(random() < 0.2 ? json.slice(0, Math.floor(random() * json.length)) : json, approved)
    }
  })
})
