import { DEAD_LETTERS_PATH, type DeadLetterCommand } from '../../platform/deadLetterAdmin.ts'
import { post, type PostAnswer } from '../../platform/httpPost.ts'
import { signViewer, VIEWER_HEADER, type Viewer } from '../../platform/viewer.ts'
import { parseExposition, type Sample } from './prometheusText.ts'

/**
 * What the console asks of a subgraph, over HTTP only (the gateway never opens a subgraph's
 * database): the `/readyz` probe, timed (readiness.ts); its `/metrics`; and its
 * staff-only dead-letter endpoint, with the staff viewer signed over the exact body like any
 * `/graphql` call.
 */

export { probeReplica, type Probe } from '../readiness.ts'

/** A replica's Prometheus samples; null when `/metrics` does not answer. */
export async function scrapeReplica(url: string, timeoutMs: number): Promise<Sample[] | null> {
  try {
    const response = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(timeoutMs) })
    return response.ok ? parseExposition(await response.text()) : null
  } catch {
    return null
  }
}

/** Why a call to a subgraph got no answer to use. */
export class SubgraphCallError extends Error {
  override readonly name = 'SubgraphCallError'
  constructor(
    message: string,
    /** The subgraph answered, with this status (404: it serves no dead letters: it consumes no events). */
    readonly status: number | null,
    /** No answer came within the call's time. */
    readonly timedOut = false,
  ) {
    super(message)
  }
}

/** A subgraph's GraphQL API as the console asks it: its replicas, who asks, and the time for the call. */
export interface GraphQLTarget {
  /** The subgraph's replicas (they share one database). */
  readonly urls: readonly string[]
  /** Who asks: the staff member at the console, or the console itself. */
  readonly viewer: Viewer
  readonly signingSecret: string
  /** Per call, across the replicas. */
  readonly timeoutMs: number
}

/** The answers the console reads (a page of incidents or of files, a mapping) are a few tens of KiB. */
const MAX_GRAPHQL_ANSWER_BYTES = 512 * 1024

/** An answer that is not the shape asked for. */
export const malformed = () => new SubgraphCallError('answered an error', 200)
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * One GraphQL call, signed as `target.viewer` over the exact body, to the first replica that takes
 * the connection; another replica is tried only when one refused it (nothing was sent: a mutation
 * is never sent twice). One timeout covers every replica. Answers the `data` of a 200 without
 * `errors`; anything else is SubgraphCallError in fixed words (the subgraph's URL and its error
 * text stay here).
 */
export async function graphqlCall(target: GraphQLTarget, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ query, variables })
  const signal = AbortSignal.timeout(target.timeoutMs)
  for (const url of target.urls) {
    let answer: PostAnswer
    try {
      answer = await post(url, { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer(target.viewer, target.signingSecret, body) }, body, { signal, maxBytes: MAX_GRAPHQL_ANSWER_BYTES })
    } catch (error) {
      if (signal.aborted) throw new SubgraphCallError('did not answer (timeout)', null, true)
      if ((error as { code?: unknown }).code === 'ECONNREFUSED') continue
      throw new SubgraphCallError('did not answer (connection failed)', null)
    }
    if (answer.status !== 200) throw new SubgraphCallError(`answered ${answer.status}`, answer.status)
    let parsed: unknown
    try {
      parsed = JSON.parse(answer.body.toString('utf8'))
    } catch {
      throw malformed()
    }
    if (!isRecord(parsed) || parsed['errors'] !== undefined || !isRecord(parsed['data'])) throw malformed()
    return parsed['data']
  }
  throw new SubgraphCallError('did not answer (connection failed)', null)
}

/** Sends a dead-letter command to the first replica that answers (they share one database). */
export async function deadLetterCall<T>(urls: readonly string[], command: DeadLetterCommand, viewer: Viewer, signingSecret: string, timeoutMs: number): Promise<T> {
  const body = JSON.stringify(command)
  let last: SubgraphCallError = new SubgraphCallError('no replica', null)
  for (const url of urls) {
    let response: Response
    try {
      response = await fetch(new URL(DEAD_LETTERS_PATH, url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer(viewer, signingSecret, body) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      last = new SubgraphCallError(`did not answer (${error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'connection failed'})`, null)
      continue
    }
    if (response.ok) return (await response.json()) as T
    // an answer that is not a success is the subgraph's word: another replica would say the same
    throw new SubgraphCallError(response.status === 404 ? 'serves no dead letters (it consumes no events)' : `answered ${response.status}`, response.status)
  }
  throw last
}
