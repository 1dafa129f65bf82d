import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { nonNullContributedFields } from './contributedFields.ts'

describe('fields contributed to another subgraph\'s entity', () => {
  it('are all nullable in the supergraph, so one subgraph down nulls only its own fields', () => {
    assert.deepEqual(nonNullContributedFields(readFileSync('supergraph.graphql', 'utf8')), [])
  })

  it('are found when one is not', () => {
    const sdl = `
      enum join__Graph { A @join__graph(name: "a", url: "") B @join__graph(name: "b", url: "") }
      type Thing @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
        id: ID!
        name: String! @join__field(graph: A)
        kind: String! @join__field(graph: A)
        extra: Int! @join__field(graph: B)
        optional: Int @join__field(graph: B)
      }`
    assert.deepEqual(nonNullContributedFields(sdl), ['Thing.extra (from B, owned by A)'])
  })
})
