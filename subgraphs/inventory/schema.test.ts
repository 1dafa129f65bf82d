import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { enumValuesOf } from '../../platform/testing.ts'

describe('inventory schema', () => {
  it('documents every InventoryErrorCode in the README, and no other', () => {
    const codes = enumValuesOf(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'), 'InventoryErrorCode')
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8')
    const documented = [...readme.matchAll(/^\| ([A-Z_]+) \|/gm)].map((m) => m[1])
    assert.deepEqual(documented, codes)
  })
})
