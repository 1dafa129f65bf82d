/** Counters and gauges of the subscription path (`/metrics/subscriptions`). */
export interface SubscriptionMetrics {
  /** Client subscriptions streaming now. */
  subscribers: number
  /** Upstream subscriptions open now (shared by every subscriber with the same upstream operation, variables and visibility). */
  upstreamSubscriptions: number
  /** Upstream subscribe calls made, re-subscriptions after failures included. */
  upstreamSubscribes: number
  upstreamRetries: number
  /** Times a resumable upstream was paused because its events arrived faster than they executed. */
  upstreamPauses: number
  /** Upstreams that caught up with another of their class and handed it their subscribers. */
  upstreamMerges: number
  upstreamEvents: number
  /** Per-event executions of the rest of a plan (one per distinct client operation per event). */
  executions: number
  /** Entity fetches sent to subgraphs for events. */
  entityFetches: number
  /** Entity fetches answered from another execution of the same event (same selection). */
  entityFetchesShared: number
  /** Results handed to client subscriptions. */
  delivered: number
  slowConsumerDisconnects: number
}

export type SubscriptionMetric = keyof SubscriptionMetrics

/**
 * The one owner of the subscription path's numbers: the modules that see something happen call
 * `add`, and only `snapshot` leaves this file, so no reader can change a count.
 */
export class SubscriptionCounters {
  private readonly values: SubscriptionMetrics = {
    subscribers: 0, upstreamSubscriptions: 0, upstreamSubscribes: 0, upstreamRetries: 0, upstreamPauses: 0, upstreamMerges: 0, upstreamEvents: 0, executions: 0,
    entityFetches: 0, entityFetchesShared: 0, delivered: 0, slowConsumerDisconnects: 0,
  }

  /** Counts one occurrence; gauges (subscribers, upstreamSubscriptions) also take -1. */
  add(metric: SubscriptionMetric, by: 1 | -1 = 1): void {
    this.values[metric] += by
  }

  snapshot(): SubscriptionMetrics {
    return { ...this.values }
  }
}
