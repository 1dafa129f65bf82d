// The storefront's Vite dev server: the page, /graphql proxied to the gateway (HTTP and the
// graphql-ws upgrade; the gateway serves no CORS, so the browser only ever talks to this origin),
// and the demo sign-in. `npm run storefront` (serve.ts) and the browser test start it with
// createServer(storefrontConfig(...)). Everything the page loads comes from this server.
import type { InlineConfig } from 'vite'
import { demoSignIn, type CustomerTokenSigner } from './demoSignIn.ts'

const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname)

export interface StorefrontServerOptions {
  /** The gateway's GraphQL endpoint (http://127.0.0.1:4000/graphql). */
  readonly gatewayUrl: string
  readonly signCustomerToken: CustomerTokenSigner
  /** 0 for any free port. */
  readonly port: number
  readonly logLevel?: 'info' | 'warn' | 'error' | 'silent'
}

export function storefrontConfig(options: StorefrontServerOptions): InlineConfig {
  const gateway = new URL(options.gatewayUrl)
  return {
    configFile: false,
    root: here('./'),
    publicDir: false,
    cacheDir: here('../../node_modules/.vite/storefront/'),
    logLevel: options.logLevel ?? 'info',
    clearScreen: false,
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    server: {
      host: '127.0.0.1',
      port: options.port,
      strictPort: options.port !== 0,
      proxy: {
        '/graphql': {
          target: gateway.origin,
          ws: true,
          rewrite: () => gateway.pathname,
        },
      },
    },
    // bundled when the server starts, so the first page load does not find them and reload
    optimizeDeps: {
      include: [
        '@apollo/client',
        '@apollo/client/link/context',
        '@apollo/client/link/persisted-queries',
        '@apollo/client/link/subscriptions',
        '@apollo/persisted-query-lists',
        'graphql',
        'graphql-ws',
        'preact',
        'preact/hooks',
        'preact/jsx-runtime',
      ],
    },
    plugins: [demoSignIn(options.signCustomerToken)],
  }
}
