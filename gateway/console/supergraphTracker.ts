import { createHash } from 'node:crypto'
import type { ApolloGateway } from '@apollo/gateway'
import type { SupergraphState } from './consoleApi.ts'

export interface SupergraphTracker {
  state(): SupergraphState
}

/**
 * The composed supergraph the gateway serves now, as the console shows it: a version (the first
 * 12 hex of its sha256, the same for the same composition wherever it runs), when it was loaded,
 * and how many reloads (a new file accepted) there have been. Subscribes before the gateway
 * starts, so the first load is seen too.
 */
export function trackSupergraph(gateway: Pick<ApolloGateway, 'onSchemaLoadOrUpdate'>, now: () => number = Date.now): SupergraphTracker {
  let version: string | null = null
  let loadedAt: number | null = null
  let loads = 0
  let subgraphNames: readonly string[] = []
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    version = createHash('sha256').update(coreSupergraphSdl).digest('hex').slice(0, 12)
    loadedAt = now()
    loads++
    // `graph NAME @join__graph(name: "name", url: ...)`: the subgraphs, without building the supergraph again
    subgraphNames = [...coreSupergraphSdl.matchAll(/@join__graph\(\s*name:\s*"([^"]+)"/g)].map((match) => match[1] as string)
  })
  return {
    state: () => ({ version, loadedAt: loadedAt === null ? null : new Date(loadedAt).toISOString(), reloads: Math.max(0, loads - 1), subgraphNames }),
  }
}
