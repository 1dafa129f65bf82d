import { DEAD_LETTERS_PATH, type DeadLetterCommand } from '../../platform/deadLetterAdmin.ts'
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

/** Why a dead-letter call got no answer to use. */
export class SubgraphCallError extends Error {
  override readonly name = 'SubgraphCallError'
  constructor(
    message: string,
    /** The subgraph answered, with this status (404: it serves no dead letters: it consumes no events). */
    readonly status: number | null,
  ) {
    super(message)
  }
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
