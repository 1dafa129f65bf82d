import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Supergraph } from '@apollo/federation-internals'
import { GraphQLError, Kind, parse, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql'
import { acceptEnforcedSecurityFeatures } from './securityFeatures.ts'
import { manifestBodyOf } from './clientDocument.ts'
import { sha256Hex, type ManifestOperation, type PersistedQueryManifest } from './manifest.ts'

/** The schema clients see: the supergraph without its federation machinery. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(acceptEnforcedSecurityFeatures(supergraphSdl)).apiSchema().toGraphQLJSSchema()
}

/** Every client folder under `dir` (a folder holding `*.graphql` files), sorted. */
export function clientsIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && readdirSync(join(dir, entry.name)).some((f) => f.endsWith('.graphql')))
    .map((entry) => entry.name)
    .sort()
}

export interface OperationSource {
  readonly file: string
  readonly text: string
}

export function readOperationSources(clientDir: string): OperationSource[] {
  return readdirSync(clientDir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => ({ file: join(clientDir, f), text: readFileSync(join(clientDir, f), 'utf8') }))
}

export type ManifestResult = { ok: true; manifest: PersistedQueryManifest } | { ok: false; problems: string[] }

/**
 * One client's manifest from its operation files: one named operation per file (with the
 * fragments it uses), each validating against the API schema, names unique within the client.
 * The body is the document as Apollo Client sends it and Apollo's manifest generator writes it
 * (`__typename` in every selection set but the root, printed, the operation before its fragments
 * by name: clientDocument.ts), so Apollo Client's ids and its verification link agree with the
 * gateway; comments and whitespace do not change the id. Operations are sorted by name so the
 * file diffs well.
 */
export function buildManifest(sources: readonly OperationSource[], schema: GraphQLSchema): ManifestResult {
  const problems: string[] = []
  const operations: ManifestOperation[] = []
  const names = new Map<string, string>()
  for (const { file, text } of sources) {
    let document: DocumentNode
    try {
      document = parse(text, { noLocation: false })
    } catch (error) {
      problems.push(`${file}: ${error instanceof GraphQLError ? error.message : String(error)}`)
      continue
    }
    const definitions = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    const [operation] = definitions
    if (definitions.length !== 1 || !operation) {
      problems.push(`${file}: must hold exactly one operation, found ${definitions.length}`)
      continue
    }
    const name = operation.name?.value
    if (!name) {
      problems.push(`${file}: the operation must be named`)
      continue
    }
    const previous = names.get(name)
    if (previous) problems.push(`${file}: operation name ${name} is already used by ${previous}`)
    names.set(name, file)
    for (const error of validate(schema, document)) {
      const where = error.locations?.[0] ? `:${error.locations[0].line}:${error.locations[0].column}` : ''
      problems.push(`${file}${where}: ${error.message}`)
    }
    const body = manifestBodyOf(document)
    operations.push({ id: sha256Hex(body), name, type: operation.operation, body })
  }
  if (problems.length > 0) return { ok: false, problems }
  operations.sort((a, b) => a.name.localeCompare(b.name))
  return { ok: true, manifest: { format: 'apollo-persisted-query-manifest', version: 1, operations } }
}

export function serializeManifest(manifest: PersistedQueryManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}
