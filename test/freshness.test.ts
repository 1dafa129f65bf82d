import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { generate } from '@graphql-codegen/cli'
import codegenConfig from '../codegen.ts'
import { composeFromConfig, formatProblems } from '../contracts/compose.ts'
import { clientsIn } from '../contracts/buildManifest.ts'
import { SUBGRAPH_NAMES } from '../platform/subgraphRegistry.ts'

describe('committed generated files', () => {
  it('supergraph.graphql is what composing the subgraph schemas gives', () => {
    const result = composeFromConfig('supergraph.yaml')
    assert.ok(result.ok, result.ok ? '' : formatProblems(result.problems))
    const committed = readFileSync('supergraph.graphql', 'utf8')
    assert.equal(committed.trimEnd(), result.supergraphSdl.trimEnd(), 'supergraph.graphql is stale: run npm run compose')
  })

  it('the resolver types and typed client documents are what codegen gives for the current schemas', async () => {
    const outputs = await generate({ ...codegenConfig, cwd: process.cwd(), silent: true }, false)
    // per subgraph generated/resolvers.ts; per client (operations/<client>/) generated/{gql,graphql,index}.ts
    const clients = clientsIn('operations')
    const generatedClients = [...new Set(outputs.flatMap((o: { filename: string }) => /^operations\/([^/]+)\/generated\//.exec(o.filename)?.[1] ?? []))].sort()
    assert.deepEqual(generatedClients, clients, 'every operations/<client>/ gets typed documents: add it to codegen.ts')
    assert.equal(outputs.length, SUBGRAPH_NAMES.length + 3 * clients.length)
    for (const output of outputs) {
      const committed = readFileSync(output.filename, 'utf8')
      assert.equal(committed, output.content, `${output.filename} is stale: run npm run codegen`)
    }
  })

  it('every subgraph carries the shared value types unchanged', () => {
    const shared = readFileSync('subgraphs/shared.graphql', 'utf8').split('\n').slice(1).join('\n').trim()
    for (const name of SUBGRAPH_NAMES) {
      const schema = readFileSync(`subgraphs/${name}/schema.graphql`, 'utf8')
      assert.ok(schema.includes(shared), `subgraphs/${name}/schema.graphql must contain subgraphs/shared.graphql's definitions verbatim`)
    }
  })
})
