import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { composeServices } from '@apollo/composition'
import { parse } from 'graphql'
import { parse as parseYaml } from 'yaml'

export interface SubgraphConfig {
  readonly name: string
  readonly routingUrl: string
  readonly schemaFile: string
}

export interface CompositionProblem {
  readonly service: string
  readonly code: string
  readonly message: string
}

export type ComposeResult =
  | { readonly ok: true; readonly supergraphSdl: string; readonly hints: number }
  | { readonly ok: false; readonly problems: readonly CompositionProblem[] }

/** Reads rover's supergraph config: `subgraphs.<name>.routing_url` and `schema.file`. */
export function readSupergraphConfig(configPath: string): SubgraphConfig[] {
  const raw = parseYaml(readFileSync(configPath, 'utf8')) as { subgraphs?: Record<string, { routing_url?: unknown; schema?: { file?: unknown } }> }
  const entries = Object.entries(raw?.subgraphs ?? {})
  if (entries.length === 0) throw new Error(`${configPath}: no subgraphs listed under 'subgraphs'`)
  return entries.map(([name, entry]) => {
    if (typeof entry?.routing_url !== 'string') throw new Error(`${configPath}: subgraphs.${name}.routing_url must be a URL`)
    if (typeof entry.schema?.file !== 'string') throw new Error(`${configPath}: subgraphs.${name}.schema.file must be a path`)
    return { name, routingUrl: entry.routing_url, schemaFile: resolve(dirname(configPath), entry.schema.file) }
  })
}

/**
 * Composes the subgraphs a supergraph config names. Failures come back as a list of problems,
 * each naming the service (when composition tells which), the error code and the message.
 */
export function composeFromConfig(configPath: string, overrides: Readonly<Record<string, string>> = {}): ComposeResult {
  const subgraphs = readSupergraphConfig(configPath)
  const problems: CompositionProblem[] = []
  const services = subgraphs.flatMap((subgraph) => {
    const sdl = overrides[subgraph.name] ?? readFileSync(subgraph.schemaFile, 'utf8')
    try {
      return [{ name: subgraph.name, url: subgraph.routingUrl, typeDefs: parse(sdl) }]
    } catch (error) {
      problems.push({ service: subgraph.name, code: 'INVALID_GRAPHQL', message: (error as Error).message })
      return []
    }
  })
  if (problems.length > 0) return { ok: false, problems }
  const result = composeServices(services)
  if (result.errors) {
    return {
      ok: false,
      problems: result.errors.map((error) => ({
        service: serviceOf(error.message, subgraphs.map((s) => s.name)),
        code: String(error.extensions['code'] ?? 'COMPOSITION_ERROR'),
        message: error.message,
      })),
    }
  }
  return { ok: true, supergraphSdl: result.supergraphSdl, hints: result.hints.length }
}

/** Composition messages name subgraphs as `[name]` or `"name"`; the first named one is the culprit. */
function serviceOf(message: string, names: readonly string[]): string {
  const found = names
    .map((name) => ({ name, at: Math.min(...[`[${name}]`, `"${name}"`, `subgraph ${name}`].map((m) => message.indexOf(m)).map((i) => (i < 0 ? Infinity : i))) }))
    .filter((candidate) => candidate.at !== Infinity)
    .sort((a, b) => a.at - b.at)
  return found.map((f) => f.name).join(', ') || '(supergraph)'
}

export function formatProblems(problems: readonly CompositionProblem[]): string {
  return problems.map((p, i) => `${i + 1}. [${p.service}] ${p.code}: ${p.message}`).join('\n')
}
