import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Kind, parse, visit, type ASTNode } from 'graphql'
import { SUBGRAPH_NAMES } from '../platform/subgraphRegistry.ts'
import { printed, SCHEMA_FILES } from '../scripts/formatSchemas.ts'

/** Every element a reader of the schema (GraphiQL, generated docs) sees, with where it is. */
function undocumented(text: string): string[] {
  const missing: string[] = []
  const path: string[] = []
  const described = (node: ASTNode & { description?: { value: string } | undefined; name: { value: string } }) => {
    path.push(node.name.value)
    if (!node.description?.value.trim()) missing.push(path.join('.'))
  }
  const leave = () => {
    path.pop()
  }
  visit(parse(text), {
    ObjectTypeDefinition: { enter: described, leave },
    InterfaceTypeDefinition: { enter: described, leave },
    UnionTypeDefinition: { enter: described, leave },
    EnumTypeDefinition: { enter: described, leave },
    InputObjectTypeDefinition: { enter: described, leave },
    ScalarTypeDefinition: { enter: described, leave },
    FieldDefinition: { enter: described, leave },
    InputValueDefinition: { enter: described, leave },
    EnumValueDefinition: { enter: described, leave },
    DirectiveDefinition: { enter: (node) => void path.push(`@${node.name.value}`), leave },
  })
  return missing
}

describe('the subgraph schemas document themselves', () => {
  for (const file of SCHEMA_FILES) {
    it(`${file} is in printed form (npm run schemas:format)`, () => {
      const text = readFileSync(file, 'utf8')
      assert.equal(text, printed(text))
    })

    it(`${file} describes every type, field, argument, input field and enum value`, () => {
      assert.deepEqual(undocumented(readFileSync(file, 'utf8')), [])
    })
  }

  it('ends every subgraph schema with the shared value types, byte for byte', () => {
    const shared = readFileSync('subgraphs/shared.graphql', 'utf8')
    for (const name of SUBGRAPH_NAMES) assert.ok(readFileSync(`subgraphs/${name}/schema.graphql`, 'utf8').endsWith(`\n${shared}`), name)
  })

  it('finds an element without a description', () => {
    assert.deepEqual(undocumented('"A" type A { "x" x(a: Int): Int y: Int }'), ['A.x.a', 'A.y'])
    assert.equal(parse('"A" type A { x: Int }').definitions[0]?.kind, Kind.OBJECT_TYPE_DEFINITION)
  })
})
