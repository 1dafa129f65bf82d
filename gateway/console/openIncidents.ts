import { post, type PostAnswer } from '../../platform/httpPost.ts'
import { signViewer, VIEWER_HEADER, type Viewer } from '../../platform/viewer.ts'
import type { IncidentSource, OpenIncident } from './consoleApi.ts'

/**
 * The open incidents of the subgraphs that record them, for the console's overview: each asked
 * over its own staff-only GraphQL field, directly (not through the supergraph: the gateway's own
 * breaker or trusted-document rules must not hide an outage from the console), signed like any
 * gateway call. A subgraph that does not answer in time, or answers anything but a well-formed
 * page, is listed as unavailable in fixed words: its URL and its error text stay here.
 */

/**
 * Who the console acts as: the overview is gathered once for every staff member polling it, so it
 * is asked as a service with the staff role, never as one of them.
 */
export const CONSOLE_VIEWER: Viewer = Object.freeze<Viewer>({ sub: 'service:console', roles: ['staff'], scopes: [], locationIds: null })

/** The subgraphs that record incidents, and the field each lists them with. */
const INCIDENT_FIELDS: ReadonlyMap<string, string> = new Map([
  ['finance', 'incidents'],
  ['inventory', 'supplierIncidents'],
])

/** One page: an integration has at most one open incident, so 20 is every one there can be for years. */
const OPEN_INCIDENTS_LISTED = 20
/** Twenty incidents are a few KiB; anything near this is not an answer to use. */
const MAX_ANSWER_BYTES = 256 * 1024

export type IncidentsReason = NonNullable<IncidentSource['reason']>

/** Why a service's incidents could not be read. */
export class IncidentsUnavailableError extends Error {
  override readonly name = 'IncidentsUnavailableError'
  constructor(readonly reason: IncidentsReason) {
    super(`incidents ${reason}`)
  }
}

export interface OpenIncidents {
  readonly incidents: readonly OpenIncident[]
  readonly sources: readonly IncidentSource[]
}

export interface OpenIncidentsOptions {
  /** The replicas of each subgraph of the current supergraph (the ones that record no incidents are skipped). */
  readonly replicas: ReadonlyMap<string, readonly string[]>
  readonly signingSecret: string
  /** For each service, across its replicas. */
  readonly timeoutMs: number
}

/** Every recording service asked at once; never rejects. */
export async function gatherOpenIncidents(options: OpenIncidentsOptions): Promise<OpenIncidents> {
  const asked = [...options.replicas].filter(([service]) => INCIDENT_FIELDS.has(service)).sort(([a], [b]) => a.localeCompare(b))
  const answers = await Promise.all(
    asked.map(async ([service, urls]) => {
      try {
        return { service, incidents: await openIncidentsOf(service, urls, options.signingSecret, options.timeoutMs), reason: null }
      } catch (error) {
        return { service, incidents: [], reason: error instanceof IncidentsUnavailableError ? error.reason : ('answered an error' as const) }
      }
    }),
  )
  return {
    incidents: answers.flatMap((answer) => answer.incidents).sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt)),
    sources: answers.map(({ service, reason }) => ({ service, available: reason === null, reason })),
  }
}

/**
 * One service's open incidents, from the first replica that answers (they share one database);
 * one timeout covers them all, so a service costs the overview at most `timeoutMs`.
 */
export async function openIncidentsOf(service: string, urls: readonly string[], signingSecret: string, timeoutMs: number): Promise<OpenIncident[]> {
  const field = INCIDENT_FIELDS.get(service)
  if (!field) throw new Error(`${service} records no incidents`)
  const body = JSON.stringify({ query: `{ ${field}(status: OPEN, first: ${OPEN_INCIDENTS_LISTED}) { nodes { id integration summary lastError openedAt notifiedAt } } }` })
  const signal = AbortSignal.timeout(timeoutMs)
  for (const url of urls) {
    let answer: PostAnswer
    try {
      answer = await post(url, { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer(CONSOLE_VIEWER, signingSecret, body) }, body, { signal, maxBytes: MAX_ANSWER_BYTES })
    } catch {
      if (signal.aborted) throw new IncidentsUnavailableError('timed out')
      // refused, reset or too large: another replica may do better
      continue
    }
    if (answer.status !== 200) throw new IncidentsUnavailableError('answered an error')
    return incidentsIn(service, field, answer.body)
  }
  throw new IncidentsUnavailableError('did not answer')
}

/** The page's nodes, checked field by field: a malformed answer is an error, not an empty list. */
function incidentsIn(service: string, field: string, body: Buffer): OpenIncident[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new IncidentsUnavailableError('answered an error')
  }
  const nodes = nodesOf(parsed, field)
  if (!nodes) throw new IncidentsUnavailableError('answered an error')
  return nodes.map((node) => {
    const incident = incidentOf(service, node)
    if (!incident) throw new IncidentsUnavailableError('answered an error')
    return incident
  })
}

function nodesOf(answer: unknown, field: string): readonly unknown[] | null {
  if (!isRecord(answer) || answer['errors'] !== undefined || !isRecord(answer['data'])) return null
  const connection = answer['data'][field]
  return isRecord(connection) && Array.isArray(connection['nodes']) ? connection['nodes'] : null
}

function incidentOf(service: string, node: unknown): OpenIncident | null {
  if (!isRecord(node)) return null
  const { id, integration, summary, lastError, openedAt, notifiedAt } = node
  if (typeof id !== 'string' || typeof integration !== 'string' || typeof summary !== 'string' || typeof openedAt !== 'string') return null
  if (!isNullableString(lastError) || !isNullableString(notifiedAt)) return null
  return { service, integration, id, summary, lastError, openedAt, notifiedAt }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const isNullableString = (value: unknown): value is string | null => value === null || typeof value === 'string'
