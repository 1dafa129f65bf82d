import type { ErrorCode } from '../platform/errors.ts'
import type { TrustedDocumentsMode } from '../platform/config.ts'
import { describeDocumentMismatch } from '../contracts/documentMismatch.ts'
import { SHA256_HEX, sha256Hex, type TrustedOperation } from '../contracts/manifest.ts'

/**
 * The transport-free core of trusted documents: what a request names (a document id, a
 * free-form document, or both) and what the gateway does with it in each mode. The Fastify step
 * in trustedDocuments.ts only reads the request, calls these, and rewrites or answers.
 */

/** Error codes of trusted documents; PERSISTED_QUERY_NOT_FOUND is the one Apollo clients act on. */
export const TrustedDocumentCode = {
  NotFound: 'PERSISTED_QUERY_NOT_FOUND',
  Required: 'PERSISTED_QUERY_REQUIRED',
  HashMismatch: 'PERSISTED_QUERY_HASH_MISMATCH',
  BadRequest: 'BAD_REQUEST',
} as const satisfies Record<string, ErrorCode>
export type TrustedDocumentCode = (typeof TrustedDocumentCode)[keyof typeof TrustedDocumentCode]

export interface DocumentRequest {
  readonly kind: 'request'
  readonly method: 'GET' | 'POST'
  /** A free-form document, when the request carries one. */
  readonly query: string | undefined
  /** sha256 hex from `documentId` or `extensions.persistedQuery.sha256Hash`. */
  readonly id: string | undefined
  /** The id came from `extensions.persistedQuery` (Apollo's APQ protocol) rather than `documentId`. */
  readonly viaPersistedQuery: boolean
}

export interface Refusal {
  readonly kind: 'refuse'
  /** The status asked for; the answer's own depends on the media type negotiated (httpResponse.ts). */
  readonly status: number
  readonly code: TrustedDocumentCode
  readonly message: string
  readonly headers?: Readonly<Record<string, string>>
}

export type Decision =
  /** Run this manifest operation (the request is rewritten to carry its body). */
  | { readonly kind: 'run'; readonly operation: TrustedOperation }
  /** Leave the request to Apollo as it is; `unknown` marks an operation outside the manifests (counted in `log`). */
  | { readonly kind: 'pass'; readonly unknown: boolean }
  | Refusal

export function refusal(status: number, code: TrustedDocumentCode, message: string, headers?: Record<string, string>): Refusal {
  return { kind: 'refuse', status, code, message, ...(headers ? { headers } : {}) }
}

/**
 * Reads the id and document from a POST body or GET query string. `documentId` follows the
 * GraphQL-over-HTTP persisted documents proposal, which prefixes the hash with its algorithm
 * (`sha256:<hex>`); a bare hex hash is accepted too. Returns a refusal for malformed input — the
 * other parameters' shapes included, so a malformed request is told so (400) before any refusal
 * of its document. A parameter that is null (POST) or the empty string (GET) is absent, as the
 * GraphQL-over-HTTP spec says.
 * https://github.com/graphql/graphql-over-http/blob/main/rfcs/PersistedDocuments.md
 */
export function documentRequestOf(method: 'GET' | 'POST', params: Record<string, unknown>): DocumentRequest | Refusal {
  const param = (name: string): unknown => {
    const value = params[name]
    return value === null || (method === 'GET' && value === '') ? undefined : value
  }
  /** `variables` and `extensions`: an object, JSON-encoded in a GET's query string. */
  const objectParam = (name: string): { readonly kind: 'object'; readonly value: Record<string, unknown> | undefined } | Refusal => {
    let value = param(name)
    if (method === 'GET' && typeof value === 'string') {
      try {
        value = JSON.parse(value) ?? undefined
      } catch {
        return refusal(400, 'BAD_REQUEST', `"${name}" must be a JSON object`)
      }
    }
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) return refusal(400, 'BAD_REQUEST', `"${name}" must be an object`)
    return { kind: 'object', value: value as Record<string, unknown> | undefined }
  }
  const query = param('query')
  if (query !== undefined && typeof query !== 'string') return refusal(400, 'BAD_REQUEST', '"query" must be a string')
  const operationName = param('operationName')
  if (operationName !== undefined && typeof operationName !== 'string') return refusal(400, 'BAD_REQUEST', '"operationName" must be a string')
  const variables = objectParam('variables')
  if (variables.kind === 'refuse') return variables
  const extensions = objectParam('extensions')
  if (extensions.kind === 'refuse') return extensions
  let fromPersistedQuery: string | undefined
  const persistedQuery = extensions.value?.['persistedQuery']
  if (persistedQuery !== undefined) {
    if (typeof persistedQuery !== 'object' || persistedQuery === null) return refusal(400, 'BAD_REQUEST', '"extensions.persistedQuery" must be an object')
    const { version, sha256Hash } = persistedQuery as Record<string, unknown>
    if (version !== 1) return refusal(400, 'BAD_REQUEST', 'Unsupported persisted query version: only version 1 is supported')
    if (typeof sha256Hash !== 'string' || !SHA256_HEX.test(sha256Hash)) {
      return refusal(400, 'BAD_REQUEST', '"extensions.persistedQuery.sha256Hash" must be 64 lowercase hex characters')
    }
    fromPersistedQuery = sha256Hash
  }
  let fromDocumentId: string | undefined
  const documentId = param('documentId')
  if (documentId !== undefined) {
    const hex = typeof documentId === 'string' ? documentId.replace(/^sha256:/, '') : ''
    if (!SHA256_HEX.test(hex)) return refusal(400, 'BAD_REQUEST', '"documentId" must be "sha256:" followed by 64 lowercase hex characters')
    fromDocumentId = hex
  }
  if (fromPersistedQuery && fromDocumentId && fromPersistedQuery !== fromDocumentId) {
    return refusal(400, 'BAD_REQUEST', '"documentId" and "extensions.persistedQuery.sha256Hash" name different documents')
  }
  return { kind: 'request', method, query, id: fromDocumentId ?? fromPersistedQuery, viaPersistedQuery: fromPersistedQuery !== undefined }
}

export interface Policy {
  readonly mode: Exclude<TrustedDocumentsMode, 'off'>
  /** The viewer is staff and TRUSTED_DOCUMENTS_ALLOW_STAFF is on. */
  readonly freeFormAllowed: boolean
}

/**
 * What to do with a request. A document whose text is a manifest body counts as that operation
 * (safelisting by body), so an Apollo client that falls back to sending the full text still works.
 */
export function decide(request: DocumentRequest, lookup: (id: string) => TrustedOperation | undefined, policy: Policy): Decision {
  const enforce = policy.mode === 'enforce' && !policy.freeFormAllowed
  const queryHash = request.query === undefined ? undefined : sha256Hex(request.query)
  if (request.id !== undefined && request.query !== undefined && queryHash !== request.id) {
    // say where the text differs from the body its id names (often the __typename Apollo Client adds)
    const named = lookup(request.id)
    const why = named ? `: ${describeDocumentMismatch(named.body, request.query)}` : ''
    return refusal(400, 'PERSISTED_QUERY_HASH_MISMATCH', `The document sent is not the one its id names (sha256 mismatch)${why}`)
  }
  const id = request.id ?? queryHash
  const operation = id === undefined ? undefined : lookup(id)
  if (operation) {
    // the pipeline refuses GET mutations for free-form documents; a persisted one must be refused here
    if (request.method === 'GET' && operation.type !== 'query') {
      return refusal(405, 'BAD_REQUEST', `GET requests only support query operations, not ${operation.type} operations`, { allow: 'POST' })
    }
    return { kind: 'run', operation }
  }
  if (request.id !== undefined && request.query === undefined) {
    // in log mode an unknown APQ hash may still be in Apollo's own APQ cache; documentId is ours alone
    if (!enforce && request.viaPersistedQuery) return { kind: 'pass', unknown: true }
    return refusal(200, 'PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound')
  }
  if (request.query === undefined) return { kind: 'pass', unknown: false }
  if (enforce) {
    return refusal(
      400,
      'PERSISTED_QUERY_REQUIRED',
      request.id === undefined
        ? 'Only operations from a client manifest may run: send its id as documentId or extensions.persistedQuery.sha256Hash'
        : 'Registering new persisted queries is not allowed: only operations from a client manifest may run',
    )
  }
  return { kind: 'pass', unknown: !policy.freeFormAllowed }
}
