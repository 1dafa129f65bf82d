import { createHash, randomUUID } from 'node:crypto'
import type { Viewer } from '../../platform/viewer.ts'
import type { PlannedSubscription } from './apolloAdapter.ts'
import { unnamed } from './eventFetches.ts'
import type { Pipeline, SharedUpstream, SubscribeRequest, UpstreamKeys } from './model.ts'
import type { PrimaryOperation } from './primaryOperation.ts'

/**
 * Which subscribers share an upstream. Keyed without the operation's name (the planner derives it
 * from the client's): clients that name the same selection differently share the upstream
 * subscription. Visibility is part of the key: what a subgraph sends depends on who asks. A
 * subscriber resuming from a cursor starts an upstream of its own (one already streaming has sent
 * events it needs) that merges into its class once both stand at the same event.
 */
export function upstreamKeys(serviceName: string, visibility: Viewer, primary: PrimaryOperation): UpstreamKeys {
  const classKey = hash([serviceName, JSON.stringify(visibility), unnamed(primary.query), JSON.stringify(primary.variablesFrom(null))])
  return { classKey, upstreamKey: primary.initialCursor === null ? classKey : `${classKey}:${randomUUID()}` }
}

/**
 * The pipeline a subscriber joins on its upstream: one per client document, operation name and
 * variables. `after` shapes only the upstream, so resumers that merged share one execution per event.
 */
export function pipelineOf(request: SubscribeRequest, primary: PrimaryOperation, planned: PlannedSubscription): Pipeline {
  const { [primary.clientAfterVariable ?? '']: _after, ...shapingVariables } = request.variables
  return {
    key: hash([request.query, request.operationName ?? '', JSON.stringify(shapingVariables)]),
    planned,
    request: { query: request.query, variables: shapingVariables, operationName: request.operationName ?? undefined },
  }
}

/**
 * The upstream `upstream` merges with now, if any: one of its class on the same supergraph, both
 * streaming with nothing left to run and standing at the same event — they deliver the same events
 * from here on. The live upstream (no starting cursor) survives when it is one of the two.
 */
export function mergeOf(upstream: SharedUpstream, peers: readonly SharedUpstream[]): { survivor: SharedUpstream; absorbed: SharedUpstream } | null {
  const cursor = upstream.stream.restingCursor
  if (cursor === null) return null
  const peer = peers.find((candidate) => candidate.stream.restingCursor === cursor && candidate.runtime === upstream.runtime)
  if (!peer) return null
  const live = upstream.keys.upstreamKey === upstream.keys.classKey
  return live ? { survivor: upstream, absorbed: peer } : { survivor: peer, absorbed: upstream }
}

/** The open upstreams, by key and by class. */
export class SharedUpstreams {
  private readonly byKey = new Map<string, SharedUpstream>()
  private readonly byClass = new Map<string, Set<SharedUpstream>>()

  get(upstreamKey: string): SharedUpstream | undefined {
    return this.byKey.get(upstreamKey)
  }

  add(upstream: SharedUpstream): void {
    this.byKey.set(upstream.keys.upstreamKey, upstream)
    const peers = this.byClass.get(upstream.keys.classKey) ?? new Set<SharedUpstream>()
    peers.add(upstream)
    this.byClass.set(upstream.keys.classKey, peers)
  }

  remove(upstream: SharedUpstream): void {
    if (this.byKey.get(upstream.keys.upstreamKey) === upstream) this.byKey.delete(upstream.keys.upstreamKey)
    const peers = this.byClass.get(upstream.keys.classKey)
    peers?.delete(upstream)
    if (peers?.size === 0) this.byClass.delete(upstream.keys.classKey)
  }

  /** The others of its class (candidates to merge with). */
  peersOf(upstream: SharedUpstream): SharedUpstream[] {
    return [...(this.byClass.get(upstream.keys.classKey) ?? [])].filter((peer) => peer !== upstream)
  }

  all(): SharedUpstream[] {
    return [...this.byKey.values()]
  }
}

const hash = (parts: readonly string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex')
