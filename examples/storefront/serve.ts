// npm run storefront: the storefront example's dev server against a running supergraph (npm start).
//   GATEWAY_URL      the gateway's GraphQL endpoint (default http://127.0.0.1:4000/graphql)
//   STOREFRONT_PORT  the dev server's port (default 5173)
// The demo sign-in signs customer tokens the way `npm run token` does: with AUTH_JWT_SECRET as the
// gateway reads it (the environment, else the development default), so run it with the gateway's
// environment. In production, or with only AUTH_JWKS_URL, it is off: paste a token instead.
import { createServer } from 'vite'
import { signToken } from '../../gateway/auth.ts'
import { loadConfig } from '../../platform/config.ts'
import { storefrontConfig } from './vite.config.ts'

const gatewayUrl = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000/graphql'
const port = Number(process.env['STOREFRONT_PORT'] ?? 5173)
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`STOREFRONT_PORT must be a port number, got '${process.env['STOREFRONT_PORT']}'`)

const config = loadConfig()
const signs = config.jwtSecret !== null && config.nodeEnv !== 'production'
const server = await createServer(
  storefrontConfig({
    gatewayUrl,
    port,
    signCustomerToken: signs ? (customer) => signToken({ sub: customer, roles: ['customer'] }, config) : null,
  }),
)
await server.listen()
server.printUrls()
console.log(`  gateway: ${gatewayUrl} (proxied at /graphql, HTTP and graphql-ws)`)
// the secret itself is never printed: only where it came from
console.log(`  demo sign-in: ${!signs ? 'off (paste a token)' : process.env['AUTH_JWT_SECRET'] ? 'signs with AUTH_JWT_SECRET from the environment' : 'signs with the development default secret'}`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close().then(() => process.exit(0)))
