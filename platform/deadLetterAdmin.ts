import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from './config.ts'
import { deadLetterById, recentDeadLetters, replayDeadLetter, type DeadLetter } from './deadLetters.ts'
import type { Database } from './db.ts'
import { formattedError, type ErrorCode } from './errors.ts'
import { signingSecrets } from './signedRequests.ts'
import type { SubgraphName } from './subgraphRegistry.ts'
import { isStaff, VIEWER_HEADER, verifyViewer } from './viewer.ts'

/** Where a subgraph answers for its dead letters (the operator console calls it through the gateway). */
export const DEAD_LETTERS_PATH = '/admin/dead-letters'

/** The most letters one list answer holds. */
export const MAX_LISTED = 200

/** What the gateway asks: the newest letters, or one replayed. */
export type DeadLetterCommand = { readonly action: 'list'; readonly limit?: number } | { readonly action: 'replay'; readonly id: string }

/** A dead letter as it travels: the event's identity and what went wrong, not its whole payload. */
export interface DeadLetterSummary {
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

export interface DeadLetterList {
  readonly deadLetters: readonly DeadLetterSummary[]
  /** Letters not replayed yet, listed or not. */
  readonly unreplayed: number
}

/** A replay is an outcome, not an error: a letter already replayed (or gone) is said so in data. */
export interface DeadLetterReplay {
  readonly outcome: 'replayed' | 'already_replayed' | 'not_found'
  readonly deadLetter: DeadLetterSummary | null
}

export function summaryOf(letter: DeadLetter): DeadLetterSummary {
  return {
    id: letter.id,
    consumer: letter.consumer,
    eventId: letter.event.id,
    eventType: letter.event.type,
    aggregate: `${letter.event.aggregateType}/${letter.event.aggregateId}`,
    error: letter.error,
    attempts: letter.attempts,
    failedAt: letter.failedAt.toISOString(),
    replayedAt: letter.replayedAt?.toISOString() ?? null,
  }
}

export interface DeadLetterAdminOptions {
  readonly schema: SubgraphName
  readonly db: Database
  readonly config: Pick<Config, 'viewerSigningSecret' | 'viewerSigningSecretPrevious'>
}

/**
 * `POST /admin/dead-letters`: this subgraph's dead letters for staff, the same two things
 * `npm run dlq` does (list, replay) without a shell on the database host. Authenticated like
 * `/graphql`: the viewer header signed by the gateway over the exact body, within its minute; and
 * the viewer must be staff. The body names the action, so one signed request is good for one
 * action on one letter only; a replay is recorded (`replayed_at`) in the transaction that
 * re-publishes the event, and a letter already replayed is not published again.
 */
export function serveDeadLetterAdmin(app: FastifyInstance, options: DeadLetterAdminOptions): void {
  const secrets = signingSecrets(options.config)
  app.post(DEAD_LETTERS_PATH, async (request, reply) => {
    // the app's JSON parser (signedRequests.ts) kept the body's bytes: the signature covers them
    const header = request.headers[VIEWER_HEADER]
    const viewer = request.rawBody ? verifyViewer(typeof header === 'string' ? header : undefined, { secrets, body: request.rawBody }) : null
    if (!viewer) return refuse(reply, 401, 'UNAUTHENTICATED', 'This service only accepts requests signed by the gateway')
    if (!isStaff(viewer)) return refuse(reply, 403, 'FORBIDDEN', 'Dead letters are for staff')
    const command = commandOf(request.body)
    if (!command) return refuse(reply, 400, 'BAD_REQUEST', 'Send { "action": "list", "limit"?: n } or { "action": "replay", "id": "<id>" }')
    if (command.action === 'list') {
      const { letters, unreplayed } = await recentDeadLetters(options.db, options.schema, Math.min(command.limit ?? 50, MAX_LISTED))
      return { deadLetters: letters.map(summaryOf), unreplayed } satisfies DeadLetterList
    }
    const letter = await deadLetterById(options.db, options.schema, command.id)
    if (!letter) return { outcome: 'not_found', deadLetter: null } satisfies DeadLetterReplay
    if (letter.replayedAt) return { outcome: 'already_replayed', deadLetter: summaryOf(letter) } satisfies DeadLetterReplay
    await replayDeadLetter(options.db, letter)
    request.log.info({ deadLetter: letter.id, consumer: letter.consumer, eventId: letter.event.id, by: viewer.sub }, 'dead letter replayed')
    const replayed = await deadLetterById(options.db, options.schema, command.id)
    return { outcome: 'replayed', deadLetter: replayed ? summaryOf(replayed) : null } satisfies DeadLetterReplay
  })
}

function commandOf(body: unknown): DeadLetterCommand | null {
  if (typeof body !== 'object' || body === null) return null
  const { action, limit, id } = body as Record<string, unknown>
  if (action === 'list') {
    if (limit === undefined) return { action }
    return Number.isInteger(limit) && (limit as number) > 0 ? { action, limit: limit as number } : null
  }
  // bigserial ids: digits only, so nothing else reaches the query
  if (action === 'replay' && typeof id === 'string' && /^[0-9]{1,18}$/.test(id)) return { action, id }
  return null
}

function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply.code(status).send({ errors: [formattedError(code, message)] })
}
