import { signViewer, ANONYMOUS, VIEWER_HEADER } from '../platform/viewer.ts'

export interface ServiceEndpoint {
  readonly name: string
  readonly url: string
}

export interface Readiness {
  readonly ready: boolean
  readonly services: Record<string, 'up' | 'down'>
}

// one body, signed afresh per probe: the signature covers the body and lives a minute
const PROBE = JSON.stringify({ query: '{ __typename }' })

/** Every subgraph answers a signed `{ __typename }` within the timeout. */
export async function checkReadiness(services: readonly ServiceEndpoint[], signingSecret: string, timeoutMs = 2000): Promise<Readiness> {
  const results = await Promise.all(
    services.map(async ({ name, url }) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer(ANONYMOUS, signingSecret, PROBE) },
          body: PROBE,
          signal: AbortSignal.timeout(timeoutMs),
        })
        const body = (await response.json()) as { data?: { __typename?: string } }
        return [name, response.ok && body.data?.__typename === 'Query' ? 'up' : 'down'] as const
      } catch {
        return [name, 'down'] as const
      }
    }),
  )
  const entries = Object.fromEntries(results) as Record<string, 'up' | 'down'>
  return { ready: results.length > 0 && results.every(([, status]) => status === 'up'), services: entries }
}
