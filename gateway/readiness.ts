import { signViewer, ANONYMOUS, VIEWER_HEADER } from '../platform/viewer.ts'

export interface ServiceEndpoint {
  readonly name: string
  /** Its replicas: the subgraph is up when one of them answers. */
  readonly urls: readonly string[]
}

export interface Readiness {
  readonly ready: boolean
  readonly services: Record<string, 'up' | 'down'>
}

// one body, signed afresh per probe: the signature covers the body and lives a minute
const PROBE = JSON.stringify({ query: '{ __typename }' })

export interface Probe {
  readonly up: boolean
  /** The round trip, when it answered. */
  readonly ms: number | null
}

/** One replica answers a signed `{ __typename }` within the timeout, and how long it took. */
export async function probeReplica(url: string, signingSecret: string, timeoutMs: number): Promise<Probe> {
  const started = performance.now()
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer(ANONYMOUS, signingSecret, PROBE) },
      body: PROBE,
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = (await response.json()) as { data?: { __typename?: string } }
    const up = response.ok && body.data?.__typename === 'Query'
    return { up, ms: up ? performance.now() - started : null }
  } catch {
    return { up: false, ms: null }
  }
}

/** Every subgraph answers the probe (at least one replica of each). */
export async function checkReadiness(services: readonly ServiceEndpoint[], signingSecret: string, timeoutMs = 2000): Promise<Readiness> {
  const results = await Promise.all(
    services.map(async ({ name, urls }) => {
      const probes = await Promise.all(urls.map((url) => probeReplica(url, signingSecret, timeoutMs)))
      return [name, probes.some((probe) => probe.up) ? 'up' : 'down'] as const
    }),
  )
  const entries = Object.fromEntries(results) as Record<string, 'up' | 'down'>
  return { ready: results.length > 0 && results.every(([, status]) => status === 'up'), services: entries }
}
