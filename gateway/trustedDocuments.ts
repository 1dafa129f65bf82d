import { statSync } from 'node:fs'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../platform/config.ts'
import { sendRefusal } from './httpResponse.ts'
import { loadManifests, manifestFiles, type TrustedOperation } from '../contracts/manifest.ts'
import { decide, documentRequestOf, type Decision, type Refusal } from './trustedDocumentsRequest.ts'

export interface TrustedDocumentsStats {
  readonly mode: Config['trustedDocuments']
  /** Operations loaded from the manifests. */
  readonly operations: number
  /** Requests that ran a manifest operation. */
  readonly known: number
  /** Requests that ran an operation outside the manifests (`log` mode, or staff when allowed). */
  readonly unknown: number
  /** Requests refused (not found, required, mismatch, malformed). */
  readonly refused: number
}

export interface TrustedDocuments {
  /** Fastify preHandler for the GraphQL route: resolves ids to documents, or answers the request. */
  preHandler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>
  /**
   * The same decision for an operation sent over graphql-ws (`subscribe` payload): the document to
   * run, or the refusal to send back as the operation's error.
   */
  resolveSocketPayload(payload: Record<string, unknown>, isStaff: boolean): Promise<{ readonly query: string | undefined; readonly operationName: string | undefined } | Refusal>
  stats(): TrustedDocumentsStats
  /** The operations of the manifests now. */
  operations(): Iterable<TrustedOperation>
  close(): void
}

export interface TrustedDocumentsOptions {
  readonly config: Pick<Config, 'trustedDocuments' | 'trustedDocumentsAllowStaff' | 'trustedDocumentsDir'>
  readonly logger: FastifyBaseLogger
  /** Whether the request's viewer is staff; asked only when staff may send free-form documents. */
  readonly isStaff: (request: FastifyRequest) => Promise<boolean>
  readonly reloadIntervalMs?: number
  /** Told each time the manifests (re)load. */
  readonly onLoad?: () => void
}

/**
 * Trusted documents as a request step before Apollo: a request naming a manifest operation by id
 * is rewritten to carry that operation's body, so Apollo's document cache (keyed by the text)
 * serves it parsed and validated after the first time; anything else runs, is counted, or is
 * refused by mode. Manifests load at start — a malformed one stops the gateway in `enforce`
 * (serving with no contract would refuse everything or nothing) and is logged otherwise — and
 * reload when a file changes; a reload that fails keeps the current operations.
 */
export function createTrustedDocuments(options: TrustedDocumentsOptions): TrustedDocuments {
  const { config, logger } = options
  const mode = config.trustedDocuments
  const dir = config.trustedDocumentsDir
  let operations: ReadonlyMap<string, TrustedOperation> = new Map()
  const counts = { known: 0, unknown: 0, refused: 0 }

  // polling the files' size and mtime, like the supergraph file: deploys replace files by rename
  const signature = () => {
    try {
      return filesSignature(dir)
    } catch {
      return ''
    }
  }
  let loadedSignature = signature()
  try {
    const loaded = loadManifests(dir)
    operations = loaded.operations
    options.onLoad?.()
    logger.info({ mode, files: loaded.files, operations: operations.size }, 'trusted documents loaded')
  } catch (error) {
    if (mode === 'enforce') throw new Error(`TRUSTED_DOCUMENTS=enforce and the manifests do not load:\n${(error as Error).message}`)
    logger.error({ err: error }, 'trusted document manifests do not load; every operation counts as unknown')
  }
  const timer = setInterval(() => {
    const next = signature()
    if (next === loadedSignature) return
    loadedSignature = next
    try {
      operations = loadManifests(dir).operations
      options.onLoad?.()
      logger.info({ operations: operations.size }, 'trusted documents reloaded')
    } catch (error) {
      logger.error({ err: error }, 'changed manifests do not load; keeping the current trusted documents')
    }
  }, options.reloadIntervalMs ?? 500)
  timer.unref()

  /**
   * The decision for one request, whatever its transport, counted — and logged when the
   * operation is outside the manifests.
   */
  const judge = async (
    method: 'GET' | 'POST',
    params: Record<string, unknown>,
    isStaff: () => Promise<boolean>,
    logContext: Record<string, unknown>,
  ): Promise<Decision> => {
    if (mode === 'off') return { kind: 'pass', unknown: false }
    const parsed = documentRequestOf(method, params)
    if (parsed.kind === 'refuse') {
      counts.refused++
      return parsed
    }
    const freeFormAllowed = config.trustedDocumentsAllowStaff && parsed.query !== undefined && (await isStaff().catch(() => false))
    const decision = decide(parsed, (id) => operations.get(id), { mode, freeFormAllowed })
    if (decision.kind === 'refuse') counts.refused++
    else if (decision.kind === 'run') counts.known++
    else if (decision.unknown) {
      counts.unknown++
      logger.warn({ operationName: params['operationName'], documentId: parsed.id, ...logContext }, 'operation outside the trusted documents')
    }
    return decision
  }

  // like Apollo's own persisted query errors: never cached, so a client's retry is not answered from a cache
  const answer = (request: FastifyRequest, reply: FastifyReply, refused: Refusal) =>
    sendRefusal(request, reply, { ...refused, headers: { 'cache-control': 'private, no-cache, must-revalidate', ...refused.headers } })

  return {
    async preHandler(request, reply) {
      if (mode === 'off') return
      const method = request.method === 'GET' ? 'GET' : request.method === 'POST' ? 'POST' : undefined
      if (method === undefined) return
      const params = method === 'GET' ? (request.query as Record<string, unknown>) : request.body
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        // batches are off in Apollo; let it refuse them (and any non-object body) in its own words
        if (mode !== 'enforce' || !Array.isArray(params)) return
        counts.refused++
        return answer(request, reply, { kind: 'refuse', status: 400, code: 'BAD_REQUEST', message: 'Batched requests are not supported' })
      }
      const decision = await judge(method, params as Record<string, unknown>, () => options.isStaff(request), {
        client: request.headers['apollographql-client-name'],
      })
      if (decision.kind === 'refuse') return answer(request, reply, decision)
      if (decision.kind === 'run') rewrite(request, method, params as Record<string, unknown>, decision.operation)
      return
    },
    async resolveSocketPayload(sent, isStaff) {
      // graphql-ws requires `query` to be a string: a client naming an operation by id sends ""
      const { query: text, ...rest } = sent
      const payload = typeof text === 'string' && text !== '' ? sent : rest
      const operationName = typeof payload['operationName'] === 'string' ? payload['operationName'] : undefined
      const query = typeof payload['query'] === 'string' ? payload['query'] : undefined
      const decision = await judge('POST', payload, async () => isStaff, { transport: 'graphql-ws' })
      if (decision.kind === 'refuse') return decision
      if (decision.kind === 'run') return { query: decision.operation.body, operationName: operationName ?? decision.operation.name }
      return { query, operationName }
    },
    stats: () => ({ mode, operations: operations.size, ...counts }),
    operations: () => operations.values(),
    close: () => clearInterval(timer),
  }
}

/** Puts the operation's body where Apollo reads the document, and drops the ids Apollo would act on. */
function rewrite(request: FastifyRequest, method: 'GET' | 'POST', params: Record<string, unknown>, operation: TrustedOperation): void {
  const { documentId: _documentId, ...rest } = params
  let extensions = rest['extensions']
  if (method === 'GET' && typeof extensions === 'string') extensions = extensions === '' ? undefined : (JSON.parse(extensions) as unknown)
  const { persistedQuery: _persistedQuery, ...otherExtensions } = (extensions ?? {}) as Record<string, unknown>
  const next: Record<string, unknown> = { ...rest, query: operation.body, operationName: rest['operationName'] || operation.name }
  if (Object.keys(otherExtensions).length > 0) next['extensions'] = otherExtensions
  else delete next['extensions']
  // null (POST) and "" (GET) mean absent; Apollo refuses a GET parameter that is not a JSON object
  for (const [key, value] of Object.entries(next)) if (value === null || (method === 'GET' && value === '')) delete next[key]
  if (method === 'POST') {
    request.body = next
    return
  }
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined) continue
    search.set(key, typeof value === 'string' ? value : JSON.stringify(value))
  }
  // @as-integrations/fastify reads a GET request's parameters from the URL
  request.raw.url = `${request.raw.url?.split('?')[0] ?? '/graphql'}?${search.toString()}`
}

function filesSignature(dir: string): string {
  return manifestFiles(dir)
    .map(({ file }) => {
      const stat = statSync(file)
      return `${file}:${stat.size}:${stat.mtimeMs}`
    })
    .join('|')
}
