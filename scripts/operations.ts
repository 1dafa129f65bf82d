/**
 * Writes each client's persisted query manifest (`operations/<client>/manifest.json`) from its
 * `*.graphql` operations, validated against the API schema of `supergraph.graphql`.
 *   npm run operations            write the manifests
 *   npm run operations -- --check exit 1 when a manifest is stale or an operation does not validate
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiSchemaOf, buildManifest, clientsIn, readOperationSources, serializeManifest } from '../contracts/buildManifest.ts'

const OPERATIONS_DIR = 'operations'
const check = process.argv.includes('--check')
const schema = apiSchemaOf(readFileSync('supergraph.graphql', 'utf8'))
let failed = false
for (const client of clientsIn(OPERATIONS_DIR)) {
  const result = buildManifest(readOperationSources(join(OPERATIONS_DIR, client)), schema)
  if (!result.ok) {
    failed = true
    console.error(`${client}:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`)
    continue
  }
  const file = join(OPERATIONS_DIR, client, 'manifest.json')
  const content = serializeManifest(result.manifest)
  const current = existsSync(file) ? readFileSync(file, 'utf8') : null
  if (current === content) {
    console.log(`${file}: up to date (${result.manifest.operations.length} operations)`)
  } else if (check) {
    failed = true
    console.error(`${file}: stale, run npm run operations`)
  } else {
    writeFileSync(file, content)
    console.log(`${file}: written (${result.manifest.operations.length} operations)`)
  }
}
process.exit(failed ? 1 : 0)
