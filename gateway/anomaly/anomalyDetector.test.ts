import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { createAnomalyDetector, type AnomalyEvent, type AnomalyOptions, type AnomalySnapshot, type Observation } from './anomalyDetector.ts'
import { seededRandom } from '../../platform/random.ts'
import { CATALOG, browsingCustomer, fakeClock, merge, partnerPoller, replay, sequentialSku, shuffled, stockScraper, type Timed } from './simulatedTraffic.ts'

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0)
const DEFAULTS = { threshold: 4, throttleFactor: 0.1, recoverySeconds: 300 } as const
const SCRAPER = 'ip:203.0.113.7'

function setup(options: Partial<AnomalyOptions> = {}) {
  const clock = fakeClock(T0)
  const events: AnomalyEvent[] = []
  const detector = createAnomalyDetector({ ...DEFAULTS, now: clock.now, onChange: (event) => events.push(event), ...options })
  return { clock, events, detector }
}

/** The first time (ms of the schedule) and request count at which `clientKey` was throttled. */
function firstThrottle(detector: ReturnType<typeof setup>['detector'], clientKey: string) {
  let requests = 0
  let found: { at: number; requests: number } | null = null
  return {
    after(observation: Observation, at: number) {
      if (observation.clientKey !== clientKey) return
      requests++
      if (!found && detector.factor(clientKey) < 1) found = { at, requests }
    },
    get result() {
      return found
    },
  }
}

describe('a mixed workload: 50 customers browsing for 10 minutes, and an anonymous scraper walking SKUs at 5/s from minute 2 to 5', () => {
  const SCRAPE_START = 120_000
  const SCRAPE_MS = 180_000
  const WORKLOAD_MS = 600_000
  const run = {
    throttledAfterMs: -1, requestsBeforeThrottle: -1, reasons: [] as readonly string[], snapshot: null as AnomalySnapshot | null,
    customers: 0, customerOperations: 0, customerFactorsBelowOne: 0, peak: { requests: 0, distinctKeys: 0, cost: 0 },
    recoveredAtMs: -1, events: [] as AnomalyEvent[],
  }

  before(() => {
    const { clock, events, detector } = setup()
    const random = seededRandom(20261207)
    const customers = Array.from({ length: 50 }, (_, i) => `c_${1001 + i}`)
    const schedule = merge(
      ...customers.map((key) => browsingCustomer(random, key, WORKLOAD_MS)),
      stockScraper({ clientKey: SCRAPER, startMs: SCRAPE_START, durationMs: SCRAPE_MS, perSecond: 5, keyOf: sequentialSku }),
    )
    let scraperRequests = 0
    const probeRecovery = (at: number) => {
      if (run.recoveredAtMs < 0 && at > SCRAPE_START + SCRAPE_MS && detector.factor(SCRAPER) === 1) run.recoveredAtMs = at
    }
    replay(detector, clock, T0, schedule, {
      // throttled, it keeps a tenth of the anonymous 200 units/s: about one read in seven still passes
      before: ({ observation }) =>
        observation.clientKey === SCRAPER && detector.factor(SCRAPER) < 1 && scraperRequests % 7 !== 0 ? { ...observation, error: true } : observation,
      after: (observation, at) => {
        if (observation.clientKey === SCRAPER) {
          scraperRequests++
          if (run.requestsBeforeThrottle < 0 && detector.factor(SCRAPER) < 1) {
            run.throttledAfterMs = at - SCRAPE_START
            run.requestsBeforeThrottle = scraperRequests
            run.reasons = detector.state(SCRAPER)?.reasons ?? []
            run.snapshot = detector.snapshot()
          }
          return
        }
        run.customerOperations++
        if (detector.factor(observation.clientKey) !== 1) run.customerFactorsBelowOne++
        const features = detector.state(observation.clientKey)?.features ?? {}
        for (const name of ['requests', 'distinctKeys', 'cost'] as const) run.peak[name] = Math.max(run.peak[name], features[name] ?? 0)
        probeRecovery(at)
      },
    })
    for (let at = WORKLOAD_MS; run.recoveredAtMs < 0 && at <= WORKLOAD_MS + 900_000; at += 1_000) {
      clock.set(T0 + at)
      probeRecovery(at)
    }
    run.customers = customers.length
    run.events = events
  })

  it('throttles the scraper within its first minute, naming what tripped', (t) => {
    assert.ok(run.throttledAfterMs >= 0 && run.throttledAfterMs < 60_000, `throttled ${run.throttledAfterMs} ms after it started`)
    assert.ok(run.reasons.some((reason) => reason.startsWith('walking:')), run.reasons.join('\n'))
    t.diagnostic(`scraper throttled ${(run.throttledAfterMs / 1000).toFixed(1)} s after it started, at its request #${run.requestsBeforeThrottle}`)
    t.diagnostic(`reasons: ${run.reasons.join(' | ')}`)
  })

  it('never throttles a customer', (t) => {
    assert.equal(run.customerFactorsBelowOne, 0)
    assert.deepEqual(run.events.filter((event) => event.state.clientKey !== SCRAPER), [])
    t.diagnostic(`${run.customers} customers, ${run.customerOperations} operations, every factor 1; busiest customer minute: ` +
      `${run.peak.requests} requests, ${run.peak.distinctKeys} distinct identifiers, ${run.peak.cost} cost units`)
  })

  it('lets the scraper recover recoverySeconds after its last minute looks normal again', (t) => {
    const stoppedAt = SCRAPE_START + SCRAPE_MS
    const afterStop = run.recoveredAtMs - stoppedAt
    // the window must first drain (up to a minute), then stay calm for recoverySeconds
    assert.ok(afterStop >= DEFAULTS.recoverySeconds * 1000 && afterStop <= (DEFAULTS.recoverySeconds + 70) * 1000, `recovered ${afterStop} ms after it stopped`)
    assert.deepEqual(run.events.map((event) => [event.kind, event.state.clientKey, event.state.factor]), [['throttled', SCRAPER, 0.1], ['recovered', SCRAPER, 1]])
    t.diagnostic(`scraper recovered ${(afterStop / 1000).toFixed(1)} s after its last request`)
  })

  it('lists the scraper in the snapshot with its reasons, the thresholds, and the customers\' cohort baseline', () => {
    const snapshot = run.snapshot as AnomalySnapshot
    assert.deepEqual(snapshot.throttled.map((state) => [state.clientKey, state.cohort, state.factor]), [[SCRAPER, 'anonymous', 0.1]])
    assert.deepEqual(snapshot.throttled[0]?.reasons, run.reasons)
    assert.equal(snapshot.clients, 51)
    assert.equal(snapshot.thresholds['threshold'], 4)
    assert.equal(snapshot.thresholds['distinctKeys'], 160)
    assert.equal(snapshot.thresholds['requests'], 120)
    assert.ok((snapshot.cohorts['customer']?.['requests'] ?? 0) > 0, JSON.stringify(snapshot.cohorts))
    assert.equal(snapshot.cohorts['anonymous']?.['requests'], undefined, 'a cohort of one has no baseline')
  })
})

describe('scrapers and normal clients, one at a time', () => {
  it('throttles a scraper reading SKUs in random order at 5/s within its first minute', (t) => {
    const { clock, detector } = setup()
    const random = seededRandom(7)
    const order = shuffled(random, 5_000)
    const probe = firstThrottle(detector, SCRAPER)
    replay(detector, clock, T0, stockScraper({ clientKey: SCRAPER, startMs: 0, durationMs: 120_000, perSecond: 5, keyOf: (n) => sequentialSku(order[n] as number) }), probe)
    assert.ok(probe.result && probe.result.at < 60_000, JSON.stringify(probe.result))
    const reasons = detector.snapshot().throttled[0]?.reasons ?? []
    assert.ok(!reasons.some((reason) => reason.startsWith('walking')), reasons.join('\n'))
    t.diagnostic(`random order at 5/s: throttled after ${(probe.result.at / 1000).toFixed(1)} s, request #${probe.result.requests}: ${reasons.join(' | ')}`)
  })

  it('throttles a scraper for its breadth alone: random SKUs, three a request, under the rate floor, reading no stock', (t) => {
    const { clock, detector } = setup()
    const random = seededRandom(11)
    const order = shuffled(random, 20_000)
    const probe = firstThrottle(detector, SCRAPER)
    const schedule = stockScraper({
      clientKey: SCRAPER, startMs: 0, durationMs: 120_000, perSecond: 100 / 60, keysPerRequest: 3, stockRead: false, keyOf: (n) => sequentialSku(order[n] as number),
    })
    replay(detector, clock, T0, schedule, probe)
    assert.ok(probe.result && probe.result.at < 60_000, JSON.stringify(probe.result))
    const reasons = detector.snapshot().throttled[0]?.reasons ?? []
    assert.deepEqual(reasons.map((reason) => reason.split(' ')[0]), ['distinctKeys'])
    t.diagnostic(`breadth alone: throttled after ${(probe.result.at / 1000).toFixed(1)} s, request #${probe.result.requests}: ${reasons.join(' | ')}`)
  })

  it('lets a scraper that slows to a shopper\'s pace recover, and keeps it recovered', () => {
    const { clock, detector, events } = setup()
    const schedule = merge(
      stockScraper({ clientKey: SCRAPER, startMs: 0, durationMs: 120_000, perSecond: 5, keyOf: sequentialSku }),
      stockScraper({ clientKey: SCRAPER, startMs: 120_000, durationMs: 20 * 60_000, perSecond: 1 / 15, keyOf: (n) => sequentialSku(600 + n) }),
    )
    let recoveredAt = -1
    replay(detector, clock, T0, schedule, {
      after: (_, at) => {
        const factor = detector.factor(SCRAPER)
        if (recoveredAt < 0 && at >= 120_000 && factor === 1) recoveredAt = at
        if (recoveredAt >= 0) assert.equal(factor, 1, `throttled again at ${at}`)
      },
    })
    assert.ok(recoveredAt >= 420_000 && recoveredAt <= 495_000, `recovered at ${recoveredAt}`)
    assert.deepEqual(events.map((event) => event.kind), ['throttled', 'recovered'])
  })

  it('does not let a throttled client raise its own baseline, however long it keeps going', () => {
    const { clock, detector } = setup()
    replay(detector, clock, T0, stockScraper({ clientKey: SCRAPER, startMs: 0, durationMs: 20_000, perSecond: 5, keyOf: sequentialSku }))
    const atThrottle = detector.state(SCRAPER)
    assert.equal(atThrottle?.throttled, true)
    replay(detector, clock, T0, stockScraper({ clientKey: SCRAPER, startMs: 20_000, durationMs: 30 * 60_000, perSecond: 5, keyOf: (n) => sequentialSku(100 + n) }))
    const later = detector.state(SCRAPER)
    assert.equal(later?.throttled, true)
    assert.deepEqual(later?.baseline, atThrottle?.baseline)
    assert.ok((later?.features['distinctKeys'] ?? 0) > 250)
    assert.ok((atThrottle?.baseline['distinctKeys'] ?? Infinity) < 1, JSON.stringify(atThrottle?.baseline))
  })

  it('does not trip on a burst of five checkout mutations by one customer', () => {
    const { clock, detector, events } = setup()
    const key = 'c_2001'
    const browse: Timed[] = Array.from({ length: 12 }, (_, i) => ({
      at: i * 10_000, observation: { clientKey: key, cohort: 'customer', cost: 772, keys: [(CATALOG[i] as { handle: string }).handle], stockRead: true, error: false },
    }))
    // a double-clicking shopper and a retrying app: five completes in two seconds, two refused
    const burst: Timed[] = Array.from({ length: 5 }, (_, i) => ({
      at: 120_000 + i * 400, observation: { clientKey: key, cohort: 'customer', cost: 23, keys: ['cart_c_2001'], stockRead: true, error: i >= 3 },
    }))
    replay(detector, clock, T0, merge(browse, burst), { after: () => assert.equal(detector.factor(key), 1) })
    assert.deepEqual(detector.state(key)?.reasons, [])
    assert.deepEqual(events, [])
  })

  it('never throttles a customer at the busiest normal pace: a click every 2 s for 10 minutes, 40+ identifiers a minute in listing order, all reading stock', () => {
    const { clock, detector, events } = setup()
    const key = 'c_3001'
    const listing = CATALOG.map((product) => product.handle).sort()
    const schedule: Timed[] = []
    for (let i = 0; i < 300; i++) {
      const product = CATALOG.find((p) => p.handle === listing[i % listing.length]) as { handle: string; skus: readonly string[] }
      // every other product page names the variant chosen too; every minute a checkout burst
      const keys = i % 2 ? [product.handle, product.skus[0] as string] : [product.handle]
      schedule.push({ at: i * 2_000, observation: { clientKey: key, cohort: 'customer', cost: i % 30 === 29 ? 23 : 772, keys, stockRead: true, error: i % 30 === 29 } })
    }
    let peakKeys = 0
    let peakRequests = 0
    replay(detector, clock, T0, schedule, {
      after: () => {
        assert.equal(detector.factor(key), 1)
        peakKeys = Math.max(peakKeys, detector.state(key)?.features['distinctKeys'] ?? 0)
        peakRequests = Math.max(peakRequests, detector.state(key)?.features['requests'] ?? 0)
      },
    })
    assert.ok(peakKeys >= 40 && peakRequests >= 30, `peak ${peakKeys} identifiers, ${peakRequests} requests a minute`)
    assert.deepEqual(events, [])
  })
})

describe('partners polling their stock', () => {
  it('does not throttle partners polling their 3 locations every second, nor one that joins once their baseline has formed', (t) => {
    const { clock, detector, events } = setup()
    const early = Array.from({ length: 5 }, (_, i) => partnerPoller(`p_${i + 1}`, i * 137, 20 * 60_000))
    const late = partnerPoller('p_6', 10 * 60_000, 10 * 60_000)
    replay(detector, clock, T0, merge(...early, late))
    assert.deepEqual(events, [])
    const partners = detector.snapshot().cohorts['partner'] ?? {}
    assert.ok((partners['requests'] ?? 0) > 150, JSON.stringify(partners))
    assert.ok((detector.state('p_6')?.baseline['requests'] ?? 0) > 0, 'an unthrottled client learns its own baseline')
    t.diagnostic(`partner cohort baseline: ${JSON.stringify(partners)}`)
  })

  it('still throttles a partner that starts reading the whole catalogue, whatever its peers poll', () => {
    const { clock, detector } = setup()
    const peers = Array.from({ length: 5 }, (_, i) => partnerPoller(`p_${i + 1}`, i * 137, 10 * 60_000))
    const scraping = stockScraper({ clientKey: 'p_9', startMs: 5 * 60_000, durationMs: 60_000, perSecond: 5, keyOf: (n) => sequentialSku(n) })
    const partnerScraping = scraping.map((timed) => ({ ...timed, observation: { ...timed.observation, cohort: 'partner' as const } }))
    const probe = firstThrottle(detector, 'p_9')
    replay(detector, clock, T0, merge(...peers, partnerScraping), probe)
    assert.ok(probe.result && probe.result.at < 6 * 60_000, JSON.stringify(probe.result))
  })

  it('throttles a lone partner polling 3 times a second before any partner baseline exists (rate and stock share trip, and no peers vouch for it)', (t) => {
    const { clock, detector, events } = setup()
    replay(detector, clock, T0, partnerPoller('p_1', 0, 5 * 60_000))
    assert.deepEqual(events.map((event) => event.kind), ['throttled'])
    const { reasons, since } = events[0]?.state ?? { reasons: [], since: null }
    assert.deepEqual(reasons.map((reason) => reason.split(' ')[0]), ['requests', 'stockShare'])
    t.diagnostic(`lone partner throttled after ${(((since ?? T0) - T0) / 1000).toFixed(1)} s: ${reasons.join(' | ')}`)
  })
})

describe('memory', () => {
  it('holds at most maxClients clients through 200,000 distinct ones, forgetting the idlest', () => {
    const { clock, detector } = setup()
    for (let i = 0; i < 200_000; i++) {
      clock.set(T0 + i)
      detector.observe({ clientKey: `ip:${i}`, cohort: 'anonymous', cost: 10, keys: [`SKU-${i}`], stockRead: false, error: false })
    }
    const { clients } = detector.snapshot()
    assert.ok(clients <= 100_000 && clients >= 90_000, `${clients} clients`)
    assert.equal(detector.state('ip:0'), null)
    assert.equal(detector.state('ip:199999')?.features['requests'], 1)
  })

  it('keeps a throttled client over idle ones when fresh clients flood the table', () => {
    const { clock, detector } = setup({ maxClients: 1_000 })
    replay(detector, clock, T0, stockScraper({ clientKey: SCRAPER, startMs: 0, durationMs: 30_000, perSecond: 5, keyOf: sequentialSku }))
    for (let i = 0; i < 5_000; i++) {
      clock.set(T0 + 30_000 + i)
      detector.observe({ clientKey: `ip:${i}`, cohort: 'anonymous', cost: 10, keys: [], stockRead: false, error: false })
    }
    assert.equal(detector.factor(SCRAPER), 0.1)
    assert.ok(detector.snapshot().clients <= 1_000)
  })
})

describe('options', () => {
  it('refuses impossible options, naming every problem at once', () => {
    assert.throws(
      () => createAnomalyDetector({ threshold: 1, throttleFactor: 0, recoverySeconds: -1, maxClients: 0.5 }),
      (error: Error) => error instanceof RangeError && ['threshold', 'throttleFactor', 'recoverySeconds', 'maxClients'].every((name) => error.message.includes(name)),
    )
  })

  it('answers factor 1 and state null for a client it has never seen', () => {
    const { detector } = setup()
    assert.equal(detector.factor('nobody'), 1)
    assert.equal(detector.state('nobody'), null)
  })
})
