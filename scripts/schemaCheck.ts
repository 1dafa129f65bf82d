// npm run schema:check [-- --base <git ref>] [--json | --markdown]
// Composes the supergraph from the working tree, diffs its API schema against supergraph.graphql at
// the base (default: the merge base of HEAD with main, else HEAD), validates every client
// operation against it, and checks that supergraph.graphql and the operation manifests are fresh.
// Exit 0 on pass, 1 on fail (composition errors, stale files, broken operations, breaking changes
// not in schema-check-allow.json), 2 when the check itself cannot run (bad allow file, git).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { composeFromConfig } from '../contracts/compose.ts'
import { ALLOW_FILE, AllowFileError, operationManifestProblems, readAllowFile, readClientManifests, runSchemaCheck } from '../contracts/schemaCheck.ts'
import { formatMarkdown, formatText, toJson } from '../contracts/schemaCheckReport.ts'

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    json: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    config: { type: 'string', default: 'supergraph.yaml' },
  },
})
if (values.json && values.markdown) fatal('--json and --markdown cannot be combined')

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 })
  } catch {
    return null
  }
}

function fatal(message: string): never {
  console.error(`schema:check: ${message}`)
  process.exit(2)
}

function defaultBase(): string {
  const mergeBase = git(['merge-base', 'HEAD', 'main'])?.trim()
  return mergeBase || 'HEAD'
}

const baseRef = values.base ?? defaultBase()
const baseSupergraphSdl = git(['show', `${baseRef}:supergraph.graphql`])
if (baseSupergraphSdl === null) {
  fatal(`cannot read supergraph.graphql at ${baseRef} (git show ${baseRef}:supergraph.graphql failed)${values.base ? '' : '; pass --base <git ref>'}`)
}

let allowed
try {
  allowed = readAllowFile(ALLOW_FILE)
} catch (error) {
  fatal(error instanceof AllowFileError ? error.message : `${ALLOW_FILE}: ${(error as Error).message}`)
}

let manifests
try {
  manifests = readClientManifests('operations')
} catch (error) {
  fatal((error as Error).message)
}

const committedSupergraphSdl = existsSync('supergraph.graphql') ? readFileSync('supergraph.graphql', 'utf8') : ''
let staleOperations: string[]
try {
  staleOperations = committedSupergraphSdl ? operationManifestProblems('operations', committedSupergraphSdl) : ['supergraph.graphql is missing: run npm run compose']
} catch (error) {
  staleOperations = [`cannot check the operation manifests against supergraph.graphql: ${(error as Error).message}`]
}

const report = await runSchemaCheck({
  composition: composeFromConfig(values.config),
  baseSupergraphSdl,
  baseRef: values.base ?? (baseRef === 'HEAD' ? 'HEAD' : `merge base with main (${baseRef.slice(0, 12)})`),
  committedSupergraphSdl,
  staleOperations,
  manifests,
  allowed,
})

console.log(values.json ? toJson(report) : values.markdown ? formatMarkdown(report) : formatText(report))
process.exit(report.verdict === 'pass' ? 0 : 1)
