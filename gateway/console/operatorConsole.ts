import type { ApolloGateway } from '@apollo/gateway'
import type { ApolloServerPlugin } from '@apollo/server'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../platform/config.ts'
import type { DeadLetterList, DeadLetterReplay } from '../../platform/deadLetterAdmin.ts'
import type { SubgraphName } from '../../platform/subgraphRegistry.ts'
import type { Viewer } from '../../platform/viewer.ts'
import type { AuthConfig } from '../auth.ts'
import type { GatewayContext } from '../context.ts'
import type { TrustedDocuments } from '../trustedDocuments.ts'
import { refuse, staffOrRefuse } from '../ui/staffOnly.ts'
import { serveUiPage, UI_DIST } from '../ui/uiBundle.ts'
import type { ConsoleOverview, DeadLettersAnswer, FeedMappingApproveAnswer, FeedMappingsAnswer, ReplayAnswer, ServiceDeadLetters } from './consoleApi.ts'
import { approveFeedMappingAsProposed, FEED_KINDS, waitingFeedMappings, type InventoryTarget } from './feedMappings.ts'
import { createOperationStats } from './operationStats.ts'
import { gatherOverview } from './overview.ts'
import { deadLetterCall, SubgraphCallError } from './subgraphCalls.ts'
import { trackSupergraph } from './supergraphTracker.ts'

export type ConsoleConfig = Pick<Config, 'nodeEnv' | 'viewerSigningSecret' | 'subgraphReplicaUrls'> & AuthConfig

export interface OperatorConsoleOptions {
  readonly config: ConsoleConfig
  readonly gateway: Pick<ApolloGateway, 'onSchemaLoadOrUpdate'>
}

export interface ServeConsoleOptions {
  readonly trustedDocuments: TrustedDocuments | undefined
  readonly distDir?: string
  /** Per call to a subgraph. */
  readonly timeoutMs?: number
}

export interface OperatorConsole {
  /** Counts operations for the live table: one of Apollo's plugins. */
  readonly plugin: ApolloServerPlugin<GatewayContext>
  /** Registers `/console` and its staff-only API on the gateway's app. */
  serve(app: FastifyInstance, options: ServeConsoleOptions): void
}

/** The overview is gathered at most this often, however many consoles poll it. */
const OVERVIEW_TTL_MS = 1000
const DEAD_LETTERS_LISTED = 50
/** A client's idempotency key (the console makes a UUID per click); longer is not a key. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/

/** How a refused approval is answered: the mapping is not there, the key is at odds, or the proposal is not ready. */
const approveStatus = (answer: FeedMappingApproveAnswer): number => {
  if (answer.outcome === 'approved') return 200
  if (answer.outcome === 'already_approved') return 409
  const code = answer.userErrors[0]?.code ?? ''
  return code === 'UNKNOWN_FEED_MAPPING' ? 404 : code.startsWith('IDEMPOTENCY_') ? 409 : 422
}

/**
 * The operator console: the page `/console` (its bundle, built from ui/console/) and the JSON it
 * polls, for staff only — `GET /console/api/overview` (subgraph health and latency, request and
 * error rates by operation, outbox backlog and consumer lag, subscriptions by partner, trusted
 * document refusals, the supergraph's version, open incidents), `GET /console/api/dead-letters`
 * and `POST /console/api/dead-letters/:service/:id/replay`, `GET /console/api/feed-mappings` and
 * `POST /console/api/feed-mappings/:partnerId/:kind/approve` (feedMappings.ts, as the staff member). The gateway reaches subgraphs over
 * HTTP only: their probes, their `/metrics`, their staff-only incident fields (openIncidents.ts),
 * and their staff-only dead-letter endpoint (platform/deadLetterAdmin.ts), each called with a
 * staff viewer signed like any request. Made
 * before Apollo starts, so it sees the first supergraph load and every operation.
 */
export function createOperatorConsole(options: OperatorConsoleOptions): OperatorConsole {
  const { config } = options
  const startedAt = Date.now()
  const operations = createOperationStats()
  const supergraph = trackSupergraph(options.gateway)
  return {
    plugin: operations.plugin,
    serve(app, { trustedDocuments, distDir = UI_DIST, timeoutMs = 2000 }) {
      const routingUrls = (): ReadonlyMap<string, string> => app.subscriptions?.runtime()?.urls ?? new Map()
      const replicasOf = (service: string): readonly string[] | null => {
        const url = routingUrls().get(service)
        return url === undefined ? null : (config.subgraphReplicaUrls[service as SubgraphName] ?? [url])
      }
      let cached: { at: number; overview: Promise<ConsoleOverview> } | null = null
      const overview = () => {
        if (!cached || Date.now() - cached.at > OVERVIEW_TTL_MS) {
          const gathering = gatherOverview({
            config,
            routingUrls,
            registry: () => app.metrics,
            operations,
            supergraph,
            subscribersByClient: () => app.subscriptions?.hub.subscribersByClient() ?? [],
            trustedDocuments: () => trustedDocuments?.stats() ?? { mode: 'off', operations: 0, known: 0, unknown: 0, refused: 0 },
            startedAt,
            timeoutMs,
          })
          cached = { at: Date.now(), overview: gathering }
          // a failed gathering is not kept: the next poll tries afresh
          gathering.catch(() => void (cached = null))
        }
        return cached.overview
      }

      serveUiPage(app, '/console', 'console', distDir)

      // polled every 2 s by each open console: its completions would drown the log
      app.get('/console/api/overview', { logLevel: 'warn' }, async (request, reply) => {
        if (!(await staffOrRefuse(request, reply, config))) return reply
        return reply.header('cache-control', 'no-store').send(await overview())
      })

      app.get('/console/api/dead-letters', { logLevel: 'warn' }, async (request, reply) => {
        const viewer = await staffOrRefuse(request, reply, config)
        if (!viewer) return reply
        const services = await Promise.all(
          [...routingUrls().keys()].sort().map(async (service): Promise<ServiceDeadLetters> => {
            try {
              const list = await deadLetterCall<DeadLetterList>(replicasOf(service) ?? [], { action: 'list', limit: DEAD_LETTERS_LISTED }, viewer, config.viewerSigningSecret, timeoutMs)
              return { service, available: true, unreplayed: list.unreplayed, deadLetters: list.deadLetters }
            } catch (error) {
              return { service, available: false, error: `${service} ${error instanceof SubgraphCallError ? error.message : 'did not answer'}`, unreplayed: 0, deadLetters: [] }
            }
          }),
        )
        return reply.header('cache-control', 'no-store').send({ services } satisfies DeadLettersAnswer)
      })

      app.post<{ Params: { service: string; id: string } }>('/console/api/dead-letters/:service/:id/replay', async (request, reply) => {
        const viewer = await staffOrRefuse(request, reply, config)
        if (!viewer) return reply
        const { service, id } = request.params
        const urls = replicasOf(service)
        if (!urls) return refuse(reply, 404, 'BAD_REQUEST', `No subgraph named ${service} in the supergraph`)
        if (!/^[0-9]{1,18}$/.test(id)) return refuse(reply, 400, 'BAD_REQUEST', 'A dead letter id is a number')
        let replay: DeadLetterReplay
        try {
          replay = await deadLetterCall<DeadLetterReplay>(urls, { action: 'replay', id }, viewer, config.viewerSigningSecret, timeoutMs)
        } catch (error) {
          return refuse(reply, 502, 'SUBGRAPH_UNAVAILABLE', `${service} ${error instanceof SubgraphCallError ? error.message : 'did not answer'}`)
        }
        request.log.info({ service, deadLetter: id, outcome: replay.outcome, by: viewer.sub }, 'dead letter replay asked from the console')
        const status = replay.outcome === 'replayed' ? 200 : replay.outcome === 'not_found' ? 404 : 409
        return reply.code(status).header('cache-control', 'no-store').send(replay satisfies ReplayAnswer)
      })

      const inventoryAs = (viewer: Viewer): InventoryTarget | null => {
        const urls = replicasOf('inventory')
        return urls ? { urls, viewer, signingSecret: config.viewerSigningSecret, timeoutMs } : null
      }
      const inventoryUnavailable = (reply: FastifyReply, error: unknown) =>
        refuse(reply, 502, 'SUBGRAPH_UNAVAILABLE', `inventory ${error instanceof SubgraphCallError ? error.message : 'did not answer'}`)

      app.get('/console/api/feed-mappings', { logLevel: 'warn' }, async (request, reply) => {
        const viewer = await staffOrRefuse(request, reply, config)
        if (!viewer) return reply
        const target = inventoryAs(viewer)
        if (!target) return refuse(reply, 502, 'SUBGRAPH_UNAVAILABLE', 'No subgraph named inventory in the supergraph')
        let answer: FeedMappingsAnswer
        try {
          answer = { mappings: await waitingFeedMappings(target) }
        } catch (error) {
          return inventoryUnavailable(reply, error)
        }
        return reply.header('cache-control', 'no-store').send(answer)
      })

      app.post<{ Params: { partnerId: string; kind: string } }>('/console/api/feed-mappings/:partnerId/:kind/approve', async (request, reply) => {
        const viewer = await staffOrRefuse(request, reply, config)
        if (!viewer) return reply
        const { partnerId, kind } = request.params
        if (!FEED_KINDS.has(kind)) return refuse(reply, 400, 'BAD_REQUEST', `A kind of partner file is one of ${[...FEED_KINDS].join(', ')}`)
        // a longer partner id than Fastify's maxParamLength (100) never gets here: 414
        if (partnerId.length === 0) return refuse(reply, 400, 'BAD_REQUEST', 'Name the partner: its token\'s subject')
        const body: unknown = request.body
        const idempotencyKey = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['idempotencyKey'] : undefined
        if (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
          return refuse(reply, 400, 'BAD_REQUEST', 'Send a JSON body with an idempotencyKey: 1 to 128 printable characters, one per approval')
        }
        const target = inventoryAs(viewer)
        if (!target) return refuse(reply, 502, 'SUBGRAPH_UNAVAILABLE', 'No subgraph named inventory in the supergraph')
        let answer: FeedMappingApproveAnswer
        try {
          answer = await approveFeedMappingAsProposed(target, { partnerId, kind, idempotencyKey })
        } catch (error) {
          return inventoryUnavailable(reply, error)
        }
        request.log.info({ partnerId, kind, outcome: answer.outcome, applied: answer.appliedFeeds.length, by: viewer.sub }, 'feed mapping approval asked from the console')
        return reply.code(approveStatus(answer)).header('cache-control', 'no-store').send(answer)
      })
    },
  }
}
