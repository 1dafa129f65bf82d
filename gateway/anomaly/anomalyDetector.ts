import { assertAnomalyOptions } from './anomalyOptions.ts'
import { assess, type Assessment } from './assess.ts'
import { BUCKET_MS, WINDOW_BUCKETS, activeIn, bucketAt, countsAt, createClientWindow, recordOperation, type ClientWindow } from './clientWindow.ts'
import { createCohortBaseline, cohortValue, foldCohortTick, type CohortBaseline } from './cohortBaseline.ts'
import { FEATURES, FEATURE_RULES, featuresOf, referenceOf, tripLevel, type Feature, type FeatureValues, type Reference } from './features.ts'
import { createOwnBaseline, learnOwn, ownValue, type OwnBaseline } from './ownBaseline.ts'
import { createVoterSample, offerVoter, type VoterSample } from './voterSample.ts'

/**
 * Adaptive, anomaly-aware limits: which clients should get a smaller budget because their traffic
 * departs from normal. The case to catch is a bot scraping inventory (walking every SKU and reading
 * its stock, at a pace and breadth no shopper has); the case never to hit is a customer browsing and
 * checking out. Pure and in memory: the integrator calls observe() once per operation and multiplies
 * the client's bucket refill and capacity by factor(). README.md in this folder explains the model.
 *
 * - Features, over each client's last minute (clientWindow.ts, features.ts): requests, cost,
 *   distinct identifiers read, steps between newly read identifiers and the share of them that were
 *   sequential (keyWalk.ts), and the shares of operations that read stock and that failed.
 * - Normal, per feature (features.ts referenceOf): the highest of a floor (the busiest normal
 *   customer), the cohort's median (cohortBaseline.ts) and the client's own slow average
 *   (ownBaseline.ts, frozen while throttled). A feature trips above threshold × normal (× the odds
 *   for a share). Decision (assess.ts): throttle on one strong signal (breadth, walking) or two weak
 *   ones (rate, cost, stock share, error share); recover once none has tripped for recoverySeconds.
 */
export type Cohort = 'anonymous' | 'customer' | 'partner' | 'staff'

export interface AnomalyOptions {
  /** how many times its baseline a feature may reach (config ANOMALY_THRESHOLD, default 4) */
  readonly threshold: number
  /** budget share kept while throttled (ANOMALY_THROTTLE_FACTOR, default 0.1) */
  readonly throttleFactor: number
  /** normal behaviour needed before recovery (ANOMALY_RECOVERY_SECONDS, default 300) */
  readonly recoverySeconds: number
  /** ms clock (Date.now); a clock that steps back is held where it was */
  readonly now?: () => number
  /** bound memory (default 100_000), evict idle clients first */
  readonly maxClients?: number
  /** called when a client becomes throttled or recovers (the integrator logs it); called after the state changed */
  readonly onChange?: (event: AnomalyEvent) => void
}

export interface Observation {
  readonly clientKey: string
  readonly cohort: Cohort
  readonly cost: number
  /** identifiers this operation read: SKUs, product ids/handles, variant ids, order numbers (from arguments/variables) */
  readonly keys: readonly string[]
  /** the operation read stock (inventory fields: availableToSell, stockLevels, inventoryLevels, ...) */
  readonly stockRead: boolean
  /** the operation ended with errors (any error, incl. refused / not found) */
  readonly error: boolean
}

export interface ClientState {
  readonly clientKey: string
  readonly cohort: string
  readonly throttled: boolean
  readonly factor: number
  /** when it was throttled (ms), null while not throttled */
  readonly since: number | null
  /** what tripped when it was throttled, one line per signal (empty while not throttled) */
  readonly reasons: readonly string[]
  /** its last minute, now (features.ts FEATURES) */
  readonly features: Readonly<Record<string, number>>
  /** its own learned baseline (0 until learned); the cohort's is in snapshot().cohorts */
  readonly baseline: Readonly<Record<string, number>>
}

export interface AnomalyEvent {
  readonly kind: 'throttled' | 'recovered'
  readonly state: ClientState
}

export interface AnomalySnapshot {
  /** the threshold, factor and recovery in force, and per feature the level a client with no baseline trips at */
  readonly thresholds: Record<string, number>
  /** per cohort, the baseline of each feature it has formed one for */
  readonly cohorts: Record<string, Record<string, number>>
  readonly throttled: readonly ClientState[]
  readonly clients: number
}

export interface AnomalyDetector {
  observe(observation: Observation): void
  /** budget multiplier for this client now: 1, or throttleFactor while throttled */
  factor(clientKey: string): number
  state(clientKey: string): ClientState | null
  /** every throttled client, and the thresholds and cohort baselines in force (for staff: a query and metrics) */
  snapshot(): AnomalySnapshot
}

interface ClientRecord {
  readonly key: string
  cohort: Cohort
  readonly window: ClientWindow
  own: OwnBaseline | null
  throttled: boolean
  since: number | null
  reasons: readonly string[]
  /** while throttled: since when no signal has tripped (null: something trips now) */
  calmSince: number | null
  /** the bucket it was last brought up to date in */
  bucket: number
  /** the tick it last offered itself to its cohort's vote in */
  votedIn: number
}

/** Past maxClients, sweep down to 90% so each sweep pays for many inserts (see memoryBucketStore.ts). */
const EVICT_TO = 0.9

export function createAnomalyDetector(options: AnomalyOptions): AnomalyDetector {
  const { threshold, throttleFactor, recoverySeconds, maxClients = 100_000, onChange } = options
  assertAnomalyOptions(threshold, throttleFactor, recoverySeconds, maxClients)
  const recoveryMs = recoverySeconds * 1000
  const clock = options.now ?? Date.now
  let latest = -Infinity
  // a clock stepping back (NTP) must not reorder buckets: time only moves forward here
  const now = () => (latest = Math.max(latest, clock()))

  // a Map iterates in insertion order: re-inserting on every observation keeps the idlest first
  const clients = new Map<string, ClientRecord>()
  const throttled = new Set<ClientRecord>()
  const cohorts = new Map<Cohort, CohortBaseline>()
  const voters = new Map<Cohort, VoterSample<ClientRecord>>()
  let tick: number | null = null

  const referenceFor = (record: ClientRecord) => {
    const cohort = cohorts.get(record.cohort)
    return (feature: Feature): Reference =>
      referenceOf(feature, ownValue(record.own, feature), cohort ? cohortValue(cohort, feature) : null, threshold)
  }
  const judge = (record: ClientRecord, values: FeatureValues): Assessment => assess(values, referenceFor(record), threshold)

  function stateOf(record: ClientRecord, at: number): ClientState {
    const features = featuresOf(countsAt(record.window, bucketAt(at)))
    const baseline = Object.fromEntries(FEATURES.map((feature) => [feature, ownValue(record.own, feature) ?? 0]))
    return Object.freeze({
      clientKey: record.key, cohort: record.cohort, throttled: record.throttled, factor: record.throttled ? throttleFactor : 1,
      since: record.since, reasons: record.reasons, features: Object.freeze({ ...features }), baseline: Object.freeze(baseline),
    })
  }

  function emit(kind: AnomalyEvent['kind'], record: ClientRecord, at: number): void {
    onChange?.({ kind, state: stateOf(record, at) })
  }

  /** Calm, or not, as of `at`: recovery counts from the first calm moment after the last trip. */
  function noteCalm(record: ClientRecord, assessment: Assessment, at: number): void {
    if (assessment.tripped.length > 0) record.calmSince = null
    else record.calmSince ??= at
  }

  function recoverIfCalm(record: ClientRecord, at: number): void {
    if (!record.throttled || record.calmSince === null || at - record.calmSince < recoveryMs) return
    record.throttled = false
    record.since = null
    record.reasons = []
    record.calmSince = null
    throttled.delete(record)
    emit('recovered', record, at)
  }

  /**
   * Brings a record up to `at`. Its window changes only when it observes and when buckets expire,
   * so judging it at each bucket boundary crossed since (at most six: then the window is empty)
   * finds the moment it turned calm without a timer, however long it stayed silent.
   */
  function advance(record: ClientRecord, at: number): void {
    const current = bucketAt(at)
    const last = record.bucket
    if (current <= last) return
    if (!record.throttled && activeIn(record.window, last)) {
      const values = featuresOf(countsAt(record.window, last))
      const reference = referenceFor(record)
      learnOwn((record.own ??= createOwnBaseline()), values, (feature) => tripLevel(feature, reference(feature).value, threshold), BUCKET_MS)
    }
    if (record.throttled) {
      const end = Math.min(current, last + WINDOW_BUCKETS)
      for (let b = last + 1; b <= end; b++) noteCalm(record, judge(record, featuresOf(countsAt(record.window, b))), b * BUCKET_MS)
    }
    record.bucket = current
  }

  /** Every 10 s, the clients active in the tick that closed vote on their cohort's baseline. */
  function closeTicks(current: number): void {
    if (tick === null || current <= tick) {
      tick ??= current
      return
    }
    for (const [cohort, sample] of voters) {
      const votes = sample.items.filter((record) => !record.throttled).map((record) => featuresOf(countsAt(record.window, tick as number)))
      let baseline = cohorts.get(cohort)
      if (!baseline) cohorts.set(cohort, (baseline = createCohortBaseline()))
      foldCohortTick(baseline, votes, BUCKET_MS)
    }
    voters.clear()
    tick = current
  }

  /** Evicts down to 90% of maxClients, never `arriving` (the client being added). */
  function makeRoom(arriving: ClientRecord): void {
    if (clients.size <= maxClients) return
    const target = Math.max(1, Math.floor(maxClients * EVICT_TO))
    // Idlest first, and a throttled client outlives idle normal ones: otherwise a flood of fresh
    // keys (spoofed IPs are cheap) would wash a scraper's throttle away.
    for (const [key, record] of clients) {
      if (clients.size <= target) return
      if (!record.throttled && record !== arriving) clients.delete(key)
    }
    for (const [key, record] of clients) {
      if (clients.size <= target) return
      if (record === arriving) continue
      clients.delete(key)
      throttled.delete(record)
    }
  }

  function touch(observation: Observation, at: number): ClientRecord {
    const existing = clients.get(observation.clientKey)
    if (existing) {
      clients.delete(observation.clientKey)
      clients.set(observation.clientKey, existing)
      existing.cohort = observation.cohort
      return existing
    }
    const record: ClientRecord = {
      key: observation.clientKey, cohort: observation.cohort, window: createClientWindow(), own: null,
      throttled: false, since: null, reasons: [], calmSince: null, bucket: bucketAt(at), votedIn: -1,
    }
    clients.set(observation.clientKey, record)
    makeRoom(record)
    return record
  }

  function observe(observation: Observation): void {
    // the integrator's numbers, not a client's: a bad one is a bug
    if (!(observation.cost >= 0) || !Number.isFinite(observation.cost)) throw new RangeError(`cost must be a finite non-negative number, got ${observation.cost}`)
    const at = now()
    const bucket = bucketAt(at)
    closeTicks(bucket)
    const record = touch(observation, at)
    advance(record, at)
    recordOperation(record.window, bucket, observation)
    if (record.votedIn !== bucket) {
      record.votedIn = bucket
      let sample = voters.get(record.cohort)
      if (!sample) voters.set(record.cohort, (sample = createVoterSample()))
      offerVoter(sample, record)
    }
    const assessment = judge(record, featuresOf(countsAt(record.window, bucket)))
    if (record.throttled) {
      noteCalm(record, assessment, at)
      recoverIfCalm(record, at)
    } else if (assessment.throttle) {
      record.throttled = true
      record.since = at
      record.reasons = Object.freeze([...assessment.reasons])
      record.calmSince = null
      throttled.add(record)
      emit('throttled', record, at)
    }
  }

  function current(clientKey: string, at: number): ClientRecord | null {
    const record = clients.get(clientKey)
    if (!record) return null
    advance(record, at)
    recoverIfCalm(record, at)
    return record
  }

  return {
    observe,
    factor(clientKey) {
      return current(clientKey, now())?.throttled ? throttleFactor : 1
    },
    state(clientKey) {
      const at = now()
      const record = current(clientKey, at)
      return record ? stateOf(record, at) : null
    },
    snapshot() {
      const at = now()
      for (const record of [...throttled]) current(record.key, at)
      const thresholds: Record<string, number> = { threshold, throttleFactor, recoverySeconds }
      for (const feature of FEATURES) thresholds[feature] = tripLevel(feature, FEATURE_RULES[feature].floor, threshold)
      const formed: Record<string, Record<string, number>> = {}
      for (const [cohort, baseline] of cohorts) {
        const values: Record<string, number> = {}
        for (const feature of FEATURES) {
          const value = cohortValue(baseline, feature)
          if (value !== null) values[feature] = value
        }
        formed[cohort] = values
      }
      return { thresholds, cohorts: formed, throttled: [...throttled].map((record) => stateOf(record, at)), clients: clients.size }
    },
  }
}
