import type { FastifyInstance } from 'fastify'
import type { ConsoleConfig, OperatorConsole } from '../console/operatorConsole.ts'
import type { TrustedDocuments } from '../trustedDocuments.ts'
import { serveGraphiql } from './graphiql.ts'
import { serveUiAssets, UI_DIST } from './uiBundle.ts'

export interface ServeUiOptions {
  readonly config: ConsoleConfig
  readonly trustedDocuments: TrustedDocuments | undefined
  readonly operatorConsole: OperatorConsole
  /** Where the built bundles are (default ui/dist/). */
  readonly distDir?: string
}

/**
 * The gateway's browser pages, from the bundles `npm run build:ui` writes: GraphiQL at `/graphiql`
 * (and `/graphql` for a browser), the operator console at `/console`, and their files at
 * `/ui/assets/`. They load nothing from any other origin.
 */
export function serveUi(app: FastifyInstance, options: ServeUiOptions): void {
  const distDir = options.distDir ?? UI_DIST
  serveUiAssets(app, distDir)
  serveGraphiql(app, { config: options.config, trustedDocuments: options.trustedDocuments, distDir })
  options.operatorConsole.serve(app, { trustedDocuments: options.trustedDocuments, distDir })
}
