/**
 * Schema checks (`npm run schema:check`): the logic, free of process and git, so tests can call it
 * with overridden subgraph SDL, a base supergraph string, manifests and an allow list.
 *
 * A check fails on composition errors, on a stale `supergraph.graphql` or stale operation
 * manifests, on client operations the new API schema no longer validates, and on breaking changes
 * not listed (with a reason) in the allow file.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ChangeType, CriticalityLevel, diff, type Change, type Rule } from '@graphql-inspector/core'
import { getOperationAST, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql'
import { loadConfig, type Config } from '../platform/config.ts'
import { checkLimits } from '../platform/limits/checkLimits.ts'
import { readCostDirectives, type CostDirectives } from '../platform/limits/costDirectives.ts'
import { measureOperation } from '../platform/limits/measureOperation.ts'
import { apiSchemaOf, buildManifest, clientsIn, readOperationSources, serializeManifest } from './buildManifest.ts'
import type { ComposeResult, CompositionProblem } from './compose.ts'
import { parseManifest, type PersistedQueryManifest } from './manifest.ts'

export const ALLOW_FILE = 'schema-check-allow.json'

// ── allow file ────────────────────────────────────────────────────────────────────────────────

export interface AllowEntry {
  /** the change's path as graphql-inspector reports it, e.g. `Product.description` */
  readonly path: string
  readonly reason: string
}

export class AllowFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: invalid schema check allow file:\n- ${problems.join('\n- ')}\nExpected { "allowed": [{ "path": "Type.field", "reason": "why" }] }`)
    this.name = 'AllowFileError'
  }
}

/** Parses `{ "allowed": [{ path, reason }] }`; every problem is reported at once, naming the file. */
export function parseAllowFile(file: string, text: string): AllowEntry[] {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new AllowFileError(file, [`not JSON: ${(error as Error).message}`])
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AllowFileError(file, ['must be a JSON object'])
  const allowed = (raw as Record<string, unknown>)['allowed']
  if (!Array.isArray(allowed)) throw new AllowFileError(file, ['"allowed" must be an array'])
  const problems: string[] = []
  const entries: AllowEntry[] = []
  allowed.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`allowed[${i}] must be an object with "path" and "reason"`)
      return
    }
    const { path, reason } = entry as Record<string, unknown>
    const where = typeof path === 'string' && path.trim() ? `allowed[${i}] (${path})` : `allowed[${i}]`
    if (typeof path !== 'string' || !path.trim()) problems.push(`${where}: "path" must be a non-empty string`)
    if (typeof reason !== 'string' || !reason.trim()) problems.push(`${where}: "reason" must be a non-empty string saying why the breaking change is accepted`)
    if (typeof path === 'string' && path.trim() && typeof reason === 'string' && reason.trim()) entries.push({ path: path.trim(), reason: reason.trim() })
  })
  if (problems.length > 0) throw new AllowFileError(file, problems)
  return entries
}

/** Reads the allow file; a missing file allows nothing. */
export function readAllowFile(file: string = ALLOW_FILE): AllowEntry[] {
  if (!existsSync(file)) return []
  return parseAllowFile(file, readFileSync(file, 'utf8'))
}

// ── manifests and generated files ─────────────────────────────────────────────────────────────

export interface ClientManifest {
  readonly client: string
  readonly manifest: PersistedQueryManifest
}

/** Every client's committed `operations/<client>/manifest.json` (parsed by the gateway's own loader). */
export function readClientManifests(dir = 'operations'): ClientManifest[] {
  return clientsIn(dir).map((client) => {
    const file = join(dir, client, 'manifest.json')
    if (!existsSync(file)) return { client, manifest: { format: 'apollo-persisted-query-manifest', version: 1, operations: [] } }
    return { client, manifest: parseManifest(file, readFileSync(file, 'utf8')) }
  })
}

/**
 * What `npm run operations -- --check` checks: every client's operations validate against the
 * API schema of `supergraphSdl` and its manifest.json is what `npm run operations` would write.
 * Returns one problem per line; empty when everything is up to date.
 */
export function operationManifestProblems(dir: string, supergraphSdl: string): string[] {
  const schema = apiSchemaOf(supergraphSdl)
  const problems: string[] = []
  for (const client of clientsIn(dir)) {
    const result = buildManifest(readOperationSources(join(dir, client)), schema)
    if (!result.ok) {
      problems.push(...result.problems.map((p) => `${client}: ${p}`))
      continue
    }
    const file = join(dir, client, 'manifest.json')
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null
    if (current !== serializeManifest(result.manifest)) problems.push(`${file}: stale, run npm run operations`)
  }
  return problems
}

const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`)

// ── the check ─────────────────────────────────────────────────────────────────────────────────

export type Criticality = 'BREAKING' | 'DANGEROUS' | 'SAFE'

export interface SchemaChange {
  readonly criticality: Criticality
  readonly type: string
  readonly path: string | null
  readonly message: string
  /** for breaking changes: whether the allow file lists the path, and why */
  readonly allowed: boolean
  readonly allowReason: string | null
}

export interface BrokenOperation {
  readonly client: string
  readonly operation: string
  readonly messages: readonly string[]
}

export interface SchemaCheckInput {
  readonly composition: ComposeResult
  /** the base supergraph SDL (e.g. `supergraph.graphql` at the merge base with main); null: nothing to diff against */
  readonly baseSupergraphSdl: string | null
  /** a name for the base in reports (a git ref) */
  readonly baseRef?: string
  /** the committed `supergraph.graphql`; when given, a difference from the composition fails the check */
  readonly committedSupergraphSdl?: string
  /** problems from the generated-file checks (see operationManifestProblems) */
  readonly staleOperations?: readonly string[]
  readonly manifests: readonly ClientManifest[]
  readonly allowed: readonly AllowEntry[]
  /** The operation limits a manifest operation must stay within; default: the configuration's defaults. */
  readonly limits?: Pick<Config, 'limits' | 'maxPageSize'>
}

export interface SchemaCheckReport {
  readonly composition: { readonly ok: boolean; readonly problems: readonly CompositionProblem[]; readonly hints: number }
  readonly stale: { readonly supergraph: boolean; readonly operations: readonly string[] }
  readonly base: { readonly ref: string | null; readonly compared: boolean }
  readonly changes: readonly SchemaChange[]
  readonly brokenOperations: readonly BrokenOperation[]
  /** allow entries that matched no breaking change (worth removing) */
  readonly unusedAllowed: readonly AllowEntry[]
  /** why the verdict is fail, one line each */
  readonly failures: readonly string[]
  readonly verdict: 'pass' | 'fail'
}

const CRITICALITY: Record<CriticalityLevel, Criticality> = {
  [CriticalityLevel.Breaking]: 'BREAKING',
  [CriticalityLevel.Dangerous]: 'DANGEROUS',
  [CriticalityLevel.NonBreaking]: 'SAFE',
}

export async function runSchemaCheck(input: SchemaCheckInput): Promise<SchemaCheckReport> {
  const failures: string[] = []
  const { composition } = input
  const stale = { supergraph: false, operations: [...(input.staleOperations ?? [])] }
  const base = { ref: input.baseRef ?? null, compared: false }
  let changes: SchemaChange[] = []
  let brokenOperations: BrokenOperation[] = []
  let unusedAllowed: AllowEntry[] = []

  if (!composition.ok) {
    failures.push(`composition failed with ${composition.problems.length} error(s)`)
  } else {
    if (input.committedSupergraphSdl !== undefined && withNewline(input.committedSupergraphSdl) !== withNewline(composition.supergraphSdl)) {
      stale.supergraph = true
      failures.push('supergraph.graphql is stale: run npm run compose and commit it')
    }
    const newSchema = apiSchemaOf(composition.supergraphSdl)
    if (input.baseSupergraphSdl !== null) {
      const baseSchema = apiSchemaOf(input.baseSupergraphSdl)
      base.compared = true
      changes = (await diff(baseSchema, newSchema, [optionalArgumentAddedIsSafe])).map((change) => toSchemaChange(change, input.allowed))
      const unallowed = changes.filter((c) => c.criticality === 'BREAKING' && !c.allowed)
      if (unallowed.length > 0) failures.push(`${unallowed.length} breaking change(s) not listed in ${ALLOW_FILE}: ${unallowed.map((c) => c.path ?? c.message).join(', ')}`)
      const usedPaths = new Set(changes.filter((c) => c.allowed).map((c) => c.path))
      unusedAllowed = input.allowed.filter((entry) => !usedPaths.has(entry.path))
    }
    brokenOperations = validateOperations(newSchema, input.manifests, {
      ...(input.limits ?? loadConfig({})),
      costs: readCostDirectives(parse(composition.supergraphSdl)),
    })
    if (brokenOperations.length > 0) failures.push(`${brokenOperations.length} client operation(s) broken: ${brokenOperations.map((b) => `${b.client}/${b.operation}`).join(', ')}`)
  }
  if (stale.operations.length > 0) failures.push(`operation manifests are stale or invalid: run npm run operations (${stale.operations.length} problem(s))`)

  return {
    composition: composition.ok ? { ok: true, problems: [], hints: composition.hints } : { ok: false, problems: composition.problems, hints: 0 },
    stale,
    base,
    changes,
    brokenOperations,
    unusedAllowed,
    failures,
    verdict: failures.length === 0 ? 'pass' : 'fail',
  }
}

/**
 * graphql-inspector calls an optional argument added to an existing field dangerous (the resolver
 * may behave differently). For the operations clients have sent so far nothing changes: they do not
 * pass the argument, and the field must resolve as before without it. So for this check it is safe.
 */
export const optionalArgumentAddedIsSafe: Rule = ({ changes }) =>
  changes.map((change) =>
    change.type === ChangeType.FieldArgumentAdded && change.criticality.level === CriticalityLevel.Dangerous && (change as Change<typeof ChangeType.FieldArgumentAdded>).meta.isAddedFieldArgumentBreaking === false
      ? { ...change, criticality: { ...change.criticality, level: CriticalityLevel.NonBreaking, reason: 'an optional argument: existing operations do not pass it' } }
      : change,
  )

function toSchemaChange(change: Change, allowed: readonly AllowEntry[]): SchemaChange {
  const criticality = CRITICALITY[change.criticality.level] ?? 'DANGEROUS'
  const path = change.path ?? null
  const entry = criticality === 'BREAKING' && path !== null ? allowed.find((a) => a.path === path) : undefined
  return { criticality, type: String(change.type), path, message: change.message, allowed: entry !== undefined, allowReason: entry?.reason ?? null }
}

/**
 * Every manifest operation that does not validate against `schema`, by client and operation name;
 * with `limits`, also every one over an operation limit, measured for its worst case (a slicing
 * variable without a default counts as the largest page): a persisted operation must run for the
 * role with the largest budget whatever variables it is sent with, or it is broken.
 */
export function validateOperations(
  schema: GraphQLSchema,
  manifests: readonly ClientManifest[],
  limits?: Pick<Config, 'limits' | 'maxPageSize'> & { readonly costs: CostDirectives },
): BrokenOperation[] {
  const broken: BrokenOperation[] = []
  for (const { client, manifest } of manifests) {
    for (const operation of manifest.operations) {
      let document: DocumentNode
      try {
        document = parse(operation.body)
      } catch (error) {
        broken.push({ client, operation: operation.name, messages: [error instanceof GraphQLError ? error.message : String(error)] })
        continue
      }
      const errors = validate(schema, document)
      if (errors.length > 0) {
        broken.push({ client, operation: operation.name, messages: errors.map((e) => e.message) })
        continue
      }
      const overLimit = limits ? limitProblem(schema, document, operation.body, limits) : null
      if (overLimit) broken.push({ client, operation: operation.name, messages: [overLimit] })
    }
  }
  return broken
}

function limitProblem(schema: GraphQLSchema, document: DocumentNode, body: string, config: Pick<Config, 'limits' | 'maxPageSize'> & { readonly costs: CostDirectives }): string | null {
  const { limits } = config
  try {
    parse(body, { maxTokens: limits.maxTokens })
  } catch {
    return `MAX_TOKENS_EXCEEDED: more than ${limits.maxTokens} tokens`
  }
  const operation = getOperationAST(document)
  if (!operation) return null
  const measures = measureOperation(document, operation, {
    schema,
    costs: config.costs,
    variables: null,
    defaultListSize: limits.defaultListSize,
    maxListSize: config.maxPageSize,
    entityHopCost: limits.entityHopCost,
  })
  const largestBudget = Math.max(...Object.values(limits.maxCost))
  const violation = checkLimits(measures, limits, largestBudget)
  return violation ? `${violation.code}: ${violation.message} (worst case over its variables)` : null
}
