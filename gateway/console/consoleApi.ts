/**
 * The operator console's JSON API (`/console/api/*`), as the gateway sends it and the browser
 * bundle (ui/console/) reads it. Types only and no imports: the front-end build takes this file as
 * it is.
 */

export interface ConsoleOverview {
  /** When the gateway gathered it (RFC 3339). */
  readonly generatedAt: string
  readonly gateway: {
    readonly nodeEnv: string
    readonly uptimeSeconds: number
    /** Open graphql-ws connections to this gateway replica. */
    readonly connections: number
  }
  readonly supergraph: SupergraphState
  readonly subgraphs: readonly SubgraphState[]
  /** Over the last `windowSeconds`, busiest first. */
  readonly operations: readonly OperationRate[]
  readonly windowSeconds: number
  /** Errors in GraphQL responses since the gateway started, by code. */
  readonly errorsByCode: readonly CodeCount[]
  readonly subscriptions: SubscriptionsState
  readonly trustedDocuments: TrustedDocumentsState
  /** Refusals at the edge (limits, rate limit, size, time) since the gateway started, by code. */
  readonly edgeRefusals: readonly CodeCount[]
  /** The open incidents of the services that record them (finance's payment provider, inventory's supplier), longest open first. */
  readonly incidents: readonly OpenIncident[]
  /** Each service asked for its open incidents, and whether it answered: one that did not is missing from `incidents`, not clear. */
  readonly incidentSources: readonly IncidentSource[]
}

export interface SupergraphState {
  /** The first 12 hex of the composed supergraph's sha256; null before it loaded. */
  readonly version: string | null
  readonly loadedAt: string | null
  /** Loads after the first (the file changed and the new one was accepted). */
  readonly reloads: number
  readonly subgraphNames: readonly string[]
}

export interface SubgraphState {
  readonly name: string
  readonly status: 'up' | 'down'
  readonly replicas: readonly ReplicaState[]
  /** The gateway's circuit breaker to it; null before the gateway first called it. */
  readonly circuit: 'closed' | 'half_open' | 'open' | null
  /** The gateway's calls to it since start: how many, how many failed, their mean duration. */
  readonly fetches: { readonly count: number; readonly errors: number; readonly meanMs: number | null }
  /** From its `/metrics`; null when that did not answer. */
  readonly events: SubgraphEvents | null
}

export interface ReplicaState {
  /** host:port (never the path or credentials of the URL). */
  readonly host: string
  readonly up: boolean
  /** Round trip of the signed `{ __typename }` probe; null when it failed. */
  readonly probeMs: number | null
}

export interface SubgraphEvents {
  /** Events committed to its outbox and not yet on the bus. */
  readonly outboxBacklog: number
  /** Age of the oldest of them: the relay's lag. */
  readonly outboxOldestSeconds: number
  /** Dead letters not replayed yet. */
  readonly deadLetters: number
  readonly consumers: readonly ConsumerState[]
}

export interface ConsumerState {
  readonly consumer: string
  readonly applied: number
  readonly retries: number
  readonly deadLettered: number
  /** Mean time from an event's occurrence to its effect committed, since start; null before the first. */
  readonly meanLagSeconds: number | null
}

export interface OperationRate {
  readonly name: string
  readonly type: string
  readonly requests: number
  readonly errors: number
  readonly requestsPerSecond: number
  readonly errorsPerSecond: number
  readonly meanMs: number
  /** Error codes of the window's failed requests. */
  readonly errorCodes: readonly CodeCount[]
}

export interface CodeCount {
  readonly code: string
  readonly count: number
}

export interface SubscriptionsState {
  /** Client subscriptions streaming now. */
  readonly subscribers: number
  /** Upstream subscriptions to subgraphs they share. */
  readonly upstream: number
  readonly byClient: readonly { readonly kind: string; readonly sub: string | null; readonly subscriptions: number }[]
}

export interface TrustedDocumentsState {
  readonly mode: string
  readonly operations: number
  readonly known: number
  readonly unknown: number
  /** Requests refused: unknown id, free-form document in enforce mode, hash mismatch, malformed. */
  readonly refused: number
}

/** An external integration a service depends on is down, as its circuit breaker judged (platform/incidents.ts). */
export interface OpenIncident {
  /** The subgraph that recorded it. */
  readonly service: string
  /** What failed ("payment-provider", "supplier"). */
  readonly integration: string
  /** The incident's id (inc_...). */
  readonly id: string
  /** What happened and what it does to the service. */
  readonly summary: string
  /** The failure that last opened the breaker (a timeout, a refused connection); null when none was recorded. */
  readonly lastError: string | null
  /** When the breaker opened (RFC 3339). */
  readonly openedAt: string
  /** When INCIDENT_WEBHOOK_URL accepted it; null without a webhook, or while it has not. */
  readonly notifiedAt: string | null
}

export interface IncidentSource {
  readonly service: string
  readonly available: boolean
  /** Why its incidents could not be read, in fixed words (never the subgraph's own text); null when available. */
  readonly reason: 'did not answer' | 'timed out' | 'answered an error' | null
}

export interface DeadLetterView {
  readonly id: string
  readonly consumer: string
  readonly eventId: string
  readonly eventType: string
  readonly aggregate: string
  readonly error: string
  readonly attempts: number
  readonly failedAt: string
  readonly replayedAt: string | null
}

export interface ServiceDeadLetters {
  readonly service: string
  /** False when the subgraph did not answer (down, or it has no events); `error` says why. */
  readonly available: boolean
  readonly error?: string
  readonly unreplayed: number
  readonly deadLetters: readonly DeadLetterView[]
}

export interface DeadLettersAnswer {
  readonly services: readonly ServiceDeadLetters[]
}

export interface ReplayAnswer {
  readonly outcome: 'replayed' | 'already_replayed' | 'not_found'
  readonly deadLetter: DeadLetterView | null
}

/** Every refusal of the console API and of GraphiQL's helpers: the gateway's usual error shape. */
export interface ErrorAnswer {
  readonly errors: readonly { readonly message: string; readonly extensions: { readonly code: string } }[]
}

/** A partner's mapping of one kind of file onto our fields, with the files waiting for its approval. */
export interface WaitingFeedMapping {
  readonly partnerId: string
  /** STOCK_SNAPSHOT or SHIPMENT_CONFIRMATION. */
  readonly kind: string
  /** PROPOSED while it waits; APPROVED when files still wait after an approval (one was cut short). */
  readonly status: 'PROPOSED' | 'APPROVED'
  /** Files of this partner and kind in AWAITING_MAPPING. */
  readonly filesWaiting: number
  /** When the oldest of them came (RFC 3339). */
  readonly oldestWaitingAt: string
  /** The proposal's overall confidence: its weakest required field's, 0 while one is unmapped. */
  readonly confidence: number
  /** Whether it applies as proposed: the approve button is for these only. */
  readonly ready: boolean
  readonly unmappedRequired: readonly string[]
  readonly fields: readonly FeedFieldProposal[]
  readonly review: readonly FeedReviewNote[]
  readonly proposedAt: string
}

export interface FeedFieldProposal {
  /** Our field (sku, locationId, quantity, ...). */
  readonly field: string
  readonly required: boolean
  /** The partner's column proposed for it; null when none. */
  readonly column: string | null
  /** In [0, 1]; 0.75 and above needs no second look. */
  readonly confidence: number
}

export interface FeedReviewNote {
  readonly field: string
  readonly reason: string
  /** Approval as proposed is refused until it is settled (in GraphiQL, with an edited mapping). */
  readonly blocking: boolean
}

export interface FeedMappingsAnswer {
  /** Oldest waiting file first. */
  readonly mappings: readonly WaitingFeedMapping[]
}

/** What approving a mapping as proposed did: inventory's userErrors are passed on with their codes. */
export interface FeedMappingApproveAnswer {
  /** approved (200), already_approved (409: nothing asked of inventory), refused (userErrors: 409 for IDEMPOTENCY_*, 404 for UNKNOWN_FEED_MAPPING, else 422). */
  readonly outcome: 'approved' | 'already_approved' | 'refused'
  /** Who approved it (the staff member's subject) and when; null when refused. */
  readonly approvedBy: string | null
  readonly approvedAt: string | null
  /** The waiting files the approval settled, in arrival order. */
  readonly appliedFeeds: readonly { readonly id: string; readonly status: string }[]
  readonly userErrors: readonly { readonly code: string; readonly field: readonly string[] | null; readonly message: string }[]
}
