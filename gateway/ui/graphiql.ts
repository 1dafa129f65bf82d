import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GraphQLError, introspectionFromSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql'
import type { Config } from '../../platform/config.ts'
import { isStaff, type Viewer } from '../../platform/viewer.ts'
import { viewerFromAuthorization, type AuthConfig } from '../auth.ts'
import type { TrustedDocuments } from '../trustedDocuments.ts'
import type { PersistedOperationsAnswer } from './graphiqlApi.ts'
import { refuse } from './staffOnly.ts'
import { serveUiPage, UI_DIST } from './uiBundle.ts'

export interface GraphiqlOptions {
  readonly config: Pick<Config, 'nodeEnv'> & AuthConfig
  /** The manifests' operations (undefined when TRUSTED_DOCUMENTS=off: nothing runs by id). */
  readonly trustedDocuments: TrustedDocuments | undefined
  readonly distDir?: string
}

/** The parameters of a GraphQL-over-HTTP GET: a browser GET of /graphql with none of them is a person, not a client. */
const GRAPHQL_PARAMS = ['query', 'documentId', 'extensions', 'operationName', 'variables']

/**
 * GraphiQL, served by the gateway from the bundle built out of npm packages (ui/graphiql/):
 *
 * - `GET /graphiql`: the page. It holds no data: whatever it does goes through `/graphql` (and
 *   graphql-ws on the same path) with the token the user puts in its headers pane, under the same
 *   rules as any client. So the page is served in production too, and what staff can do there and
 *   others cannot comes from the token alone: introspection (the docs and completion), and under
 *   TRUSTED_DOCUMENTS=enforce with TRUSTED_DOCUMENTS_ALLOW_STAFF, free-form documents.
 * - `GET /graphql` from a browser (Accept prefers text/html, no GraphQL parameter): redirected to
 *   `/graphiql`. GraphQL-over-HTTP GETs are untouched.
 * - `GET /graphiql/api/schema`: the API schema's introspection, as `/graphql` would answer it, so
 *   the docs load even where free-form documents are refused (TRUSTED_DOCUMENTS=enforce); in
 *   production, like introspection itself, for staff only.
 * - `GET /graphiql/api/operations`: every client manifest's operations, which GraphiQL lists and
 *   runs by id (`documentId`); in production for staff only.
 */
export function serveGraphiql(app: FastifyInstance, options: GraphiqlOptions): void {
  const { config, trustedDocuments } = options
  const production = config.nodeEnv === 'production'
  const introspections = new WeakMap<GraphQLSchema, IntrospectionQuery>()

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || request.routeOptions.url !== '/graphql' || !prefersHtml(request.headers.accept)) return
    const params = new URL(request.url, 'http://localhost').searchParams
    if (GRAPHQL_PARAMS.some((name) => params.has(name))) return
    return reply.redirect('/graphiql', 302)
  })

  serveUiPage(app, '/graphiql', 'graphiql', options.distDir ?? UI_DIST)

  /** The viewer, or null once refused: a bad token is refused as /graphql refuses it; in production only staff pass. */
  const allowed = async (request: FastifyRequest, reply: FastifyReply, what: string): Promise<Viewer | null> => {
    let viewer: Viewer
    try {
      viewer = await viewerFromAuthorization(request.headers.authorization, config)
    } catch (error) {
      refuse(reply, 401, 'UNAUTHENTICATED', error instanceof GraphQLError ? error.message : 'Token is not valid')
      return null
    }
    if (production && !isStaff(viewer)) {
      refuse(reply, viewer.sub === null ? 401 : 403, viewer.sub === null ? 'UNAUTHENTICATED' : 'FORBIDDEN', `In production ${what} is for staff: put a staff token in the headers pane`)
      return null
    }
    return viewer
  }

  app.get('/graphiql/api/schema', async (request, reply) => {
    if (!(await allowed(request, reply, 'the schema'))) return reply
    const schema = app.subscriptions?.runtime()?.apiSchema
    if (!schema) return refuse(reply, 503, 'INTERNAL_SERVER_ERROR', 'The gateway has no schema yet')
    let introspection = introspections.get(schema)
    if (!introspection) {
      introspection = introspectionFromSchema(schema, { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })
      introspections.set(schema, introspection)
    }
    return reply.header('cache-control', 'no-store').send({ data: introspection })
  })

  app.get('/graphiql/api/operations', async (request, reply) => {
    if (!(await allowed(request, reply, 'the list of persisted operations'))) return reply
    const operations = [...(trustedDocuments?.operations() ?? [])]
      .map(({ client, name, type, id, body }) => ({ client, name, type, id, body }))
      .sort((a, b) => a.client.localeCompare(b.client) || a.name.localeCompare(b.name))
    return reply.header('cache-control', 'no-store').send({ mode: trustedDocuments ? trustedDocuments.stats().mode : 'off', operations } satisfies PersistedOperationsAnswer)
  })
}

/**
 * Whether an Accept header prefers HTML to both GraphQL response types, as a browser's navigation
 * does (`text/html,…,*\/*;q=0.8`); a client asking for JSON, or for anything (`*\/*`), is not a browser.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false
  const quality = (type: string, subtype: string): number => {
    let best = -1
    let q = 0
    for (const part of accept.split(',')) {
      const [range = '', ...params] = part.trim().toLowerCase().split(';')
      const [t, s] = range.trim().split('/')
      const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1
      if (specificity <= best) continue
      best = specificity
      const given = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      q = given === undefined ? 1 : Number(given.slice(2)) || 0
    }
    return q
  }
  const html = quality('text', 'html')
  return html > 0 && html > quality('application', 'json') && html > quality('application', 'graphql-response+json')
}
