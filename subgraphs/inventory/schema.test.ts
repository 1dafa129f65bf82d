import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

describe('inventory schema', () => {
  it('ends with the shared value types exactly as subgraphs/shared.graphql has them', () => {
    const schema = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')
    const shared = readFileSync(new URL('../shared.graphql', import.meta.url), 'utf8').split('\n').slice(1).join('\n')
    assert.ok(schema.endsWith(shared), 'the shared block at the end of schema.graphql drifted from subgraphs/shared.graphql')
  })


  it('documents every InventoryErrorCode in the README, and no other', () => {
    const schema = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8').replace(/#.*$/gm, '')
    const enumBody = /enum InventoryErrorCode \{([^}]*)\}/.exec(schema)?.[1] ?? ''
    const codes = enumBody.split(/\s+/).filter(Boolean)
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8')
    const documented = [...readme.matchAll(/^\| ([A-Z_]+) \|/gm)].map((m) => m[1])
    assert.deepEqual(documented, codes)
  })
})
