// npm run compose [-- --config supergraph.yaml --out supergraph.graphql]
// Composes the supergraph from the subgraph schemas named in supergraph.yaml and writes it.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { composeFromConfig, formatProblems } from '../contracts/compose.ts'

const { values } = parseArgs({ options: { config: { type: 'string', default: 'supergraph.yaml' }, out: { type: 'string', default: 'supergraph.graphql' } } })
const result = composeFromConfig(values.config)
if (!result.ok) {
  console.error(`Composition failed with ${result.problems.length} error(s):\n${formatProblems(result.problems)}`)
  process.exit(1)
}
writeFileSync(values.out, result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`)
console.log(`Wrote ${values.out} (${result.hints} composition hint(s))`)
