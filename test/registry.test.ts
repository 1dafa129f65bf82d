import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse as parseYaml } from 'yaml'
import { SUBGRAPH_DEFAULT_PORTS, SUBGRAPH_NAMES } from '../platform/subgraphRegistry.ts'
import { SUBGRAPHS } from '../subgraphs/registry.ts'

/** What every subgraph folder holds (README "Adding a subgraph"). */
const ROOMS = [
  'schema.graphql', 'subgraph.ts', 'kit.ts', 'events.ts', 'loaders.ts', 'resolvers.ts', 'resolvers', 'mutations', 'store', 'seed.ts', 'models.ts', 'main.ts',
  'README.md', 'migrations', 'codegen.json',
]

describe('the registry of subgraphs (platform/subgraphRegistry.ts)', () => {
  it('is what subgraphs/registry.ts builds, in the same order', () => {
    assert.deepEqual(SUBGRAPHS.map((s) => s.name), [...SUBGRAPH_NAMES])
  })

  it('is what supergraph.yaml composes, each at its default port and schema file', () => {
    const config = parseYaml(readFileSync('supergraph.yaml', 'utf8')) as { subgraphs: Record<string, { routing_url: string; schema: { file: string } }> }
    assert.deepEqual(Object.keys(config.subgraphs), [...SUBGRAPH_NAMES])
    for (const name of SUBGRAPH_NAMES) {
      assert.deepEqual(config.subgraphs[name], { routing_url: `http://127.0.0.1:${SUBGRAPH_DEFAULT_PORTS[name]}/graphql`, schema: { file: `./subgraphs/${name}/schema.graphql` } })
    }
  })

  it('has a folder with the same rooms and a start script for each subgraph', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts
    for (const name of SUBGRAPH_NAMES) {
      for (const room of ROOMS) assert.ok(existsSync(`subgraphs/${name}/${room}`), `subgraphs/${name}/${room}`)
      assert.equal(scripts[`start:${name}`], `tsx subgraphs/${name}/main.ts`)
    }
  })

  it('gives every subgraph a port of its own', () => {
    assert.equal(new Set(Object.values(SUBGRAPH_DEFAULT_PORTS)).size, SUBGRAPH_NAMES.length)
  })
})
