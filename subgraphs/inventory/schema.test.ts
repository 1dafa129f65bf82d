import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse, print, type DefinitionNode } from 'graphql'
import { enumValuesOf } from '../../platform/testing.ts'

/** The value types Query.supplierIncidents shares with finance's Query.incidents. */
const INCIDENT_TYPES = ['Incident', 'IncidentConnection', 'IncidentEdge', 'IncidentStatus']

/** Those types as a schema file defines them, descriptions and directives included. */
function incidentTypesOf(file: URL): string[] {
  const named = (d: DefinitionNode): d is DefinitionNode & { name: { value: string } } => 'name' in d && d.name !== undefined
  return parse(readFileSync(file, 'utf8')).definitions.filter(named).filter((d) => INCIDENT_TYPES.includes(d.name.value)).map((d) => print(d))
}

describe('inventory schema', () => {
  it('documents every InventoryErrorCode in the README, and no other', () => {
    const codes = enumValuesOf(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'), 'InventoryErrorCode')
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8')
    const documented = [...readme.matchAll(/^\| ([A-Z_]+) \|/gm)].map((m) => m[1])
    assert.deepEqual(documented, codes)
  })

  it('defines the incident types exactly as finance does, so both subgraphs resolve them', () => {
    const ours = incidentTypesOf(new URL('./schema.graphql', import.meta.url))
    assert.equal(ours.length, INCIDENT_TYPES.length)
    assert.deepEqual(ours, incidentTypesOf(new URL('../finance/schema.graphql', import.meta.url)))
  })
})
