import type { Viewer } from '../../platform/viewer.ts'
import type { IncidentSource, OpenIncident } from './consoleApi.ts'
import { graphqlCall, isRecord, SubgraphCallError } from './subgraphCalls.ts'

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
  const query = `{ ${field}(status: OPEN, first: ${OPEN_INCIDENTS_LISTED}) { nodes { id integration summary lastError openedAt notifiedAt } } }`
  let data: Record<string, unknown>
  try {
    data = await graphqlCall({ urls, viewer: CONSOLE_VIEWER, signingSecret, timeoutMs }, query)
  } catch (error) {
    if (!(error instanceof SubgraphCallError)) throw error
    throw new IncidentsUnavailableError(error.timedOut ? 'timed out' : error.status === null ? 'did not answer' : 'answered an error')
  }
  return incidentsIn(service, field, data)
}

/** The page's nodes, checked field by field: a malformed answer is an error, not an empty list. */
function incidentsIn(service: string, field: string, data: Record<string, unknown>): OpenIncident[] {
  const connection = data[field]
  if (!isRecord(connection) || !Array.isArray(connection['nodes'])) throw new IncidentsUnavailableError('answered an error')
  return connection['nodes'].map((node: unknown) => {
    const incident = incidentOf(service, node)
    if (!incident) throw new IncidentsUnavailableError('answered an error')
    return incident
  })
}

function incidentOf(service: string, node: unknown): OpenIncident | null {
  if (!isRecord(node)) return null
  const { id, integration, summary, lastError, openedAt, notifiedAt } = node
  if (typeof id !== 'string' || typeof integration !== 'string' || typeof summary !== 'string' || typeof openedAt !== 'string') return null
  if (!isNullableString(lastError) || !isNullableString(notifiedAt)) return null
  return { service, integration, id, summary, lastError, openedAt, notifiedAt }
}

const isNullableString = (value: unknown): value is string | null => value === null || typeof value === 'string'
