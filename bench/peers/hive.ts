/**
 * Stock Hive Gateway: `createGatewayRuntime` of `@graphql-hive/gateway` over the repository's
 * supergraph, served by node:http on 127.0.0.1:GATEWAY_PORT, as bench/gateway.ts targets `hive`
 * and (with `--dedup`, which turns on `inboundInflightRequestDeduplication`) `hive-dedup`, and (with
 * `--no-fetch-dedup`, which turns off the in-flight deduplication of subgraph fetches its HTTP
 * transport does by default, `deduplicateInflightRequests`) `hive-off`. The one
 * addition is what the subgraphs require to accept a call: an `onFetch` plugin that signs the
 * viewer (from the client's JWT) over the final body of each subgraph fetch. Everything else is
 * Hive's defaults.
 *
 *   GATEWAY_PORT=4100 SUBGRAPH_CATALOG_URL=... node --import tsx bench/peers/hive.ts [--dedup]
 */
import { createServer } from 'node:http'
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway'
import { onShutdown } from '../../platform/service.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import { announce, config, peerSupergraph, viewerHeaders, viewerOf } from './peer.ts'

/** One JWT check per client request, however many subgraph fetches it makes. */
const viewers = new WeakMap<Request, Promise<Viewer>>()

function viewerOfRequest(request: Request | undefined): Promise<Viewer> {
  if (!request) return Promise.resolve(ANONYMOUS)
  let viewer = viewers.get(request)
  if (!viewer) {
    viewer = viewerOf(request.headers.get('authorization'))
    viewers.set(request, viewer)
  }
  return viewer
}

/**
 * Signs the viewer into every subgraph fetch. `onFetch` sees the options the fetch will be made
 * with (`options.body` is the serialized JSON string, made before the hook runs) and replaces them
 * with `setOptions`; a fetch of Hive's own (no client request in its context) goes as anonymous.
 */
function signViewerPlugin(): GatewayPlugin {
  return {
    async onFetch({ options, setOptions, context }) {
      if (typeof options.body !== 'string') throw new Error('subgraph fetch without a string body: cannot sign the viewer over it')
      const request = 'request' in context ? (context.request as Request) : undefined
      const viewer = await viewerOfRequest(request)
      setOptions({ ...options, headers: { ...options.headers, ...viewerHeaders(viewer, options.body) } })
    },
  }
}

const runtime = createGatewayRuntime({
  supergraph: peerSupergraph(),
  logging: 'warn',
  plugins: () => [signViewerPlugin()],
  ...(process.argv.includes('--dedup') ? { inboundInflightRequestDeduplication: true } : {}),
  ...(process.argv.includes('--no-fetch-dedup') ? { transportEntries: { '*': { options: { deduplicateInflightRequests: false } } } } : {}),
})
const server = createServer(runtime)
await new Promise<void>((resolve) => server.listen(config.gatewayPort, '127.0.0.1', resolve))
onShutdown(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await runtime.dispose()
})
announce(process.argv.includes('--dedup') ? 'hive (inbound deduplication)' : process.argv.includes('--no-fetch-dedup') ? 'hive (no fetch deduplication)' : 'hive')
