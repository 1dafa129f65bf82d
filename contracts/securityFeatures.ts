import type { SupergraphManager, SupergraphSdlUpdateFunction } from '@apollo/gateway'

/**
 * `@authenticated` and `@requiresScopes` reach the supergraph as features `for: SECURITY`: a
 * router that does not enforce them must refuse to serve it (failing closed). Apollo's JS gateway
 * enforces neither, and refuses; this gateway enforces both itself, before planning
 * (authorizeOperation.ts). So, and only here, the purpose is dropped from those two links before
 * the supergraph reaches Apollo's engine. Any other SECURITY feature still stops the load.
 */
const ENFORCED = ['https://specs.apollo.dev/authenticated/', 'https://specs.apollo.dev/requiresScopes/']
const LINK = /@link\(url: "([^"]+)", for: SECURITY\)/g

export function acceptEnforcedSecurityFeatures(supergraphSdl: string): string {
  return supergraphSdl.replace(LINK, (link, url: string) => (ENFORCED.some((prefix) => url.startsWith(prefix)) ? `@link(url: "${url}")` : link))
}

/** The same, for a supergraph given as text or served by a manager (the file, reloaded). */
export function withEnforcedSecurityFeatures(source: string | SupergraphManager): string | SupergraphManager {
  if (typeof source === 'string') return acceptEnforcedSecurityFeatures(source)
  return {
    async initialize(options) {
      const update: SupergraphSdlUpdateFunction = (sdl) => options.update(acceptEnforcedSecurityFeatures(sdl))
      const result = await source.initialize({ ...options, update })
      return { ...result, supergraphSdl: acceptEnforcedSecurityFeatures(result.supergraphSdl) }
    },
  }
}
