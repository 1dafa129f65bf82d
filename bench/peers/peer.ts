/**
 * What the stock gateways of bench/gateway.ts (apollo.ts, hive.ts) share: the configuration they
 * read as this project's gateway does (GATEWAY_PORT, SUBGRAPH_<NAME>_URL, the dev secrets), the
 * supergraph they serve, and the viewer they forward — the one thing the subgraphs require of a
 * caller: the client's JWT verified into a Viewer, signed into `x-commerce-viewer` over the exact
 * body sent. Nothing else of this gateway's edge (limits, rate limits, trusted documents,
 * @authenticated / @requiresScopes, deduplication) is added to them.
 */
import { readFileSync } from 'node:fs'
import { acceptEnforcedSecurityFeatures } from '../../contracts/securityFeatures.ts'
import { viewerFromAuthorization } from '../../gateway/auth.ts'
import { loadConfigOrExit } from '../../platform/service.ts'
import { signViewer, VIEWER_HEADER, type SignedBody, type Viewer } from '../../platform/viewer.ts'

export const config = loadConfigOrExit()

/**
 * The repository's supergraph as the peer serves it: routing URLs replaced by SUBGRAPH_<NAME>_URL,
 * and the `for: SECURITY` purpose dropped from the @authenticated / @requiresScopes links exactly
 * as this gateway does before Apollo loads it (without that Apollo's gateway refuses to load it).
 * Neither peer enforces those two directives; the subgraphs still check the viewer themselves.
 */
export function peerSupergraph(): string {
  const sdl = acceptEnforcedSecurityFeatures(readFileSync(config.supergraphPath, 'utf8'))
  return sdl.replace(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g, (_, name: string, url: string) => {
    const routed = config.subgraphUrls[name as keyof typeof config.subgraphUrls] ?? url
    return `@join__graph(name: "${name}", url: "${routed}")`
  })
}

/** The client's `Authorization` header as this gateway reads it: no header is anonymous, a bad token a 401 error. */
export const viewerOf = (authorization: string | null | undefined): Promise<Viewer> => viewerFromAuthorization(authorization ?? undefined, config)

/** The headers a subgraph call needs besides its own: the viewer, signed over exactly `body`. */
export const viewerHeaders = (viewer: Viewer, body: SignedBody): Record<string, string> => ({ [VIEWER_HEADER]: signViewer(viewer, config.viewerSigningSecret, body) })

/** Says the peer is listening (bench/gateway.ts waits for its first answer anyway). */
export function announce(name: string): void {
  console.log(`${name} listening on http://127.0.0.1:${config.gatewayPort}/graphql`)
}
