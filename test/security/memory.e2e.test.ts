/**
 * Memory stays bounded under attack. The gateway and the four subgraphs all run in this test
 * process, so its heap is theirs: it is sampled every 50 ms while the attacks run, and measured
 * after them once garbage is collected. Run with `node --expose-gc --import tsx --test`; without
 * the flag the collector is reached another way (see `collector`).
 */
import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Config } from '../../platform/config.ts'
import { stackForTests, type Stack } from '../stack.ts'
import { assertAlive, assertNoLeak, codeOf, post } from './attackSupport.ts'
import { deepProductQuery, defaults, noCalls, startSecurityStack } from './securityStack.ts'

interface Attack {
  readonly name: string
  readonly document: string
}

const ATTACKS: readonly Attack[] = [
  // depth 26 through product → variants → product: the query that once exhausted the heap
  { name: 'depth-24', document: deepProductQuery(7) },
  { name: '1,000 aliases', document: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: products(first: 100) { nodes { id } }`).join(' ')} }` },
  // estimated at 10,000 variants; the demo store holds ~3.3 per product, so ~330 come back
  { name: '10,000-node fan-out', document: '{ products(first: 100) { nodes { variants(first: 100) { nodes { id sku title product { title } } } } } }' },
  // ~0.5 MB from catalog: under catalog's own cap (2 MB), over what the loosened gateway reads (256 KB)
  { name: 'half-megabyte answer', document: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: products(first: 100) { nodes { id handle title description } }`).join(' ')} }` },
  // over 2 MB at catalog: its own response cap answers instead
  { name: 'multi-megabyte answer', document: `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: products(first: 100) { nodes { id handle title description } }`).join(' ')} }` },
]
const TIMES = 20
const CONCURRENCY = 4
/**
 * What may stay on the heap after the attacks, collected: Apollo's parsed-document cache and the
 * gateway's query-plan cache are LRU caches of ~30 MiB each, and both now hold the attack
 * documents (the 1,000-alias one parses to a few MB); the rest is per-client limiter state and
 * allocator slack. A leak of what the attacks asked for (tens of MB per request) would blow it.
 */
const MAX_RETAINED_BYTES = 150 * 1024 * 1024
/**
 * With the limits on, every attack is refused after parsing at most MAX_TOKENS tokens, before
 * planning: CONCURRENCY refusals in flight cost a few MB, nowhere near this.
 */
const MAX_PEAK_GROWTH_REFUSED_BYTES = 64 * 1024 * 1024

/**
 * `--expose-gc` gives `gc`; without it, V8's flag is set at run time and `gc` taken from a fresh
 * context (what Jest's leak detection does), so the retained heap is measured collected either way.
 */
function collector(): { readonly gc: (() => void) | undefined; readonly source: string } {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return { gc: exposed, source: '--expose-gc' }
  try {
    setFlagsFromString('--expose-gc')
    return { gc: runInNewContext('gc') as () => void, source: 'v8.setFlagsFromString' }
  } catch {
    return { gc: undefined, source: 'none' }
  }
}
const { gc, source: gcSource } = collector()
const MB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return process.memoryUsage().heapUsed
}

interface Outcome {
  readonly attack: string
  readonly status: number
  readonly code: unknown
  readonly serviceName: unknown
  readonly hasData: boolean
  readonly bytes: number
}

interface Barrage {
  readonly outcomes: readonly Outcome[]
  readonly baseline: number
  readonly peak: number
  readonly final: number
  readonly rss: number
  readonly durationMs: number
}

/**
 * Every attack TIMES times, interleaved, CONCURRENCY at once; the heap sampled every 50 ms from
 * a baseline taken (collected) just before, to a final heap taken (collected) just after.
 */
async function barrage(stack: Stack, label: string): Promise<Barrage> {
  const jobs = Array.from({ length: TIMES }, () => ATTACKS).flat()
  const outcomes: Outcome[] = []
  const baseline = await settledHeap()
  let peak = baseline
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed)
  }, 50)
  const started = Date.now()
  let next = 0
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) {
          const attack = jobs[next++]!
          // as Apollo Client 4 and urql ask: refusals come back 400, not a legacy client's 200
          const answer = await post(stack, { query: attack.document }, { accept: 'application/graphql-response+json' })
          assertNoLeak(stack, answer.raw)
          const error = answer.body?.errors?.[0]
          outcomes.push({
            attack: attack.name,
            status: answer.status,
            code: codeOf(answer),
            serviceName: error?.extensions?.['serviceName'],
            hasData: Boolean(answer.body?.data),
            bytes: answer.raw.length,
          })
        }
      }),
    )
  } finally {
    clearInterval(sampler)
  }
  const durationMs = Date.now() - started
  peak = Math.max(peak, process.memoryUsage().heapUsed)
  const final = await settledHeap()
  const rss = process.memoryUsage.rss()
  const figures = { config: label, gc: gcSource, requests: outcomes.length, durationMs, baselineHeapMB: MB(baseline), peakHeapMB: MB(peak), finalHeapMB: MB(final), retainedMB: MB(final - baseline), rssMB: MB(rss) }
  console.log(`memory under attack: ${JSON.stringify(figures)}`)
  return { outcomes, baseline, peak, final, rss, durationMs }
}

/** Each attack's outcomes, all alike: one status, one code, one service. */
function outcomesOf(result: Barrage, attack: string): Outcome {
  const mine = result.outcomes.filter((o) => o.attack === attack)
  assert.equal(mine.length, TIMES, attack)
  const distinct = new Set(mine.map((o) => JSON.stringify([o.status, o.code, o.serviceName, o.hasData])))
  assert.equal(distinct.size, 1, `${attack} was answered in different ways: ${[...distinct].join(' | ')}`)
  return mine[0]!
}

function assertBounded(result: Barrage): void {
  assert.ok(result.final - result.baseline < MAX_RETAINED_BYTES, `heap grew ${MB(result.final - result.baseline)} MB (bound ${MB(MAX_RETAINED_BYTES)} MB)`)
}

describe('memory under attack, with the edge limits on their defaults (attack suite)', () => {
  const stack = stackForTests(() => startSecurityStack())

  it('refuses every attack at the edge, calls no subgraph, stays up, and keeps its heap bounded', async () => {
    stack.resetCounters()
    const result = await barrage(stack, 'defaults')
    const expected: Record<string, [number, string]> = {
      'depth-24': [400, 'MAX_DEPTH_EXCEEDED'],
      '1,000 aliases': [400, 'MAX_TOKENS_EXCEEDED'],
      '10,000-node fan-out': [400, 'COST_LIMIT_EXCEEDED'],
      'half-megabyte answer': [400, 'MAX_ALIASES_EXCEEDED'],
      'multi-megabyte answer': [400, 'MAX_TOKENS_EXCEEDED'],
    }
    for (const attack of ATTACKS) {
      const outcome = outcomesOf(result, attack.name)
      assert.deepEqual([outcome.status, outcome.code, outcome.serviceName, outcome.hasData], [...expected[attack.name]!, undefined, false], attack.name)
    }
    assert.deepEqual(stack.subgraphCalls(), noCalls)
    await assertAlive(stack)
    assertBounded(result)
    assert.ok(result.peak - result.baseline < MAX_PEAK_GROWTH_REFUSED_BYTES, `the heap peaked ${MB(result.peak - result.baseline)} MB above the baseline`)
  })
})

describe('memory under attack, with the gateway\'s own limits loosened (attack suite)', () => {
  // what stands when the gateway's limits are gone: each subgraph's own depth and cost limits
  // (the test config's MAX_DEPTH 10 + 2, and twice its largest MAX_COST), the response caps and
  // the deadlines. Root fields are loosened too, or 1,000 aliased root fields would stop there.
  const loosened: Partial<Config> = {
    limits: { ...defaults.limits, maxDepth: 100, maxAliases: 5000, maxRootFields: 5000, maxTokens: 100_000, maxCost: { anonymous: 1e9, customer: 1e9, partner: 1e9, staff: 1e9 } },
    maxResponseBytes: 262_144,
    // budgets would refuse the second fan-out already: they are the edge, loosened here as well
    rateLimit: { ...defaults.rateLimit, enabled: false },
    anomaly: { ...defaults.anomaly, enabled: false },
  }
  // catalog's sockets, to see what the gateway leaves open there
  const catalogSockets: Socket[] = []
  const stack = stackForTests(async () => {
    const started = await startSecurityStack({ gatewayConfig: loosened })
    started.subgraphs.catalog.server.on('connection', (socket: Socket) => catalogSockets.push(socket))
    return started
  })

  it('is held by the subgraphs\' own limits and the response caps, stays up, and keeps its heap bounded', async () => {
    const result = await barrage(stack, 'gateway limits loosened')

    const deep = outcomesOf(result, 'depth-24')
    assert.deepEqual([deep.status, deep.code, deep.serviceName, deep.hasData], [200, 'MAX_DEPTH_EXCEEDED', 'catalog', false])
    const aliases = outcomesOf(result, '1,000 aliases')
    assert.deepEqual([aliases.status, aliases.code, aliases.serviceName, aliases.hasData], [200, 'COST_LIMIT_EXCEEDED', 'catalog', false])
    // within every remaining limit: served, and no larger than the gateway's cap
    const fanOut = outcomesOf(result, '10,000-node fan-out')
    assert.deepEqual([fanOut.status, fanOut.code, fanOut.hasData], [200, undefined, true])
    assert.ok(fanOut.bytes < 262_144)
    const half = outcomesOf(result, 'half-megabyte answer')
    assert.deepEqual([half.status, half.code, half.serviceName, half.hasData], [200, 'RESPONSE_TOO_LARGE', 'catalog', false])
    const multi = outcomesOf(result, 'multi-megabyte answer')
    assert.deepEqual([multi.status, multi.code, multi.serviceName, multi.hasData], [200, 'RESPONSE_TOO_LARGE', 'catalog', false])

    await assertAlive(stack)
    const after = await post(stack, { query: '{ products(first: 5) { nodes { id } } }' })
    assert.equal(after.body?.data?.['products'].nodes.length, 5, 'still serving')
    assertBounded(result)
  })

  it('closes catalog at once after cutting its oversized answers off, whatever connections are left', async () => {
    // the gateway's fetch pool may leave connections on which no request was ever sent; Node's
    // HTTP server counts them busy and would hold close() for as long as they stay open, so the
    // services close every connection once the requests in flight are answered (drainOnClose)
    const half = ATTACKS.find((a) => a.name === 'half-megabyte answer')!
    for (let round = 0; round < 2; round++) await Promise.all(Array.from({ length: CONCURRENCY }, () => post(stack, { query: half.document })))
    const started = Date.now()
    await stack.stopSubgraph('catalog')
    assert.ok(Date.now() - started < 2000, `catalog took ${Date.now() - started} ms to close`)
    assert.deepEqual(catalogSockets.filter((socket) => !socket.destroyed).length, 0)
    await stack.startSubgraph('catalog')
  })
})
