import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse, print, visit } from 'graphql'
import pino from 'pino'
import { composeFromConfig } from '../contracts/compose.ts'
import { eventually } from '../platform/testing.ts'
import { supergraphFromFile } from '../gateway/supergraphFile.ts'
import { query, startStack, type Stack } from './stack.ts'

/** The supergraph as it would be composed if catalog's Product had no `description`. */
function supergraphWithoutDescription(): string {
  const document = visit(parse(readFileSync('subgraphs/catalog/schema.graphql', 'utf8')), {
    ObjectTypeDefinition: (node) =>
      node.name.value === 'Product' ? { ...node, fields: node.fields?.filter((field) => field.name.value !== 'description') } : undefined,
  })
  const catalog = print(document)
  const result = composeFromConfig('supergraph.yaml', { catalog })
  if (!result.ok) throw new Error('composition failed')
  return result.supergraphSdl
}

describe('reloading the supergraph file', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'supergraph-')), 'supergraph.graphql')
  let stack: Stack
  /** What the watcher logged, message by message: its observable signal. */
  const logged: string[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) })
  before(async () => {
    writeFileSync(path, supergraphWithoutDescription())
    stack = await startStack({ bus: false, supergraph: supergraphFromFile(path, logger, 50) })
  })
  after(() => stack.close())

  const DESCRIPTION = `{ product(handle: "classic-tee-001") { description } }`
  const TITLE = `{ product(handle: "classic-tee-001") { title } }`

  it('serves the new schema once the file changes, without failing requests in flight', async () => {
    assert.equal((await query(stack, DESCRIPTION)).body.errors?.[0]?.extensions?.['code'], 'GRAPHQL_VALIDATION_FAILED')
    let swapping = true
    const traffic = (async () => {
      const failures: unknown[] = []
      while (swapping) {
        const { body } = await query(stack, TITLE)
        if (body.errors || body.data?.['product']?.title !== 'Classic Tee 001') failures.push(body)
      }
      return failures
    })()
    writeFileSync(path, readFileSync('supergraph.graphql', 'utf8'))
    const deadline = Date.now() + 10_000
    let reloaded = false
    while (!reloaded && Date.now() < deadline) {
      reloaded = (await query(stack, DESCRIPTION)).body.errors === undefined
      if (!reloaded) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    swapping = false
    assert.ok(reloaded, 'the gateway picked up the new supergraph')
    assert.deepEqual(await traffic, [])
    assert.match((await query(stack, DESCRIPTION)).body.data!['product'].description, /classic tee 001/)
  })

  it('keeps the current schema when the new file does not load, and takes the next good one', async () => {
    writeFileSync(path, 'schema { this is not a supergraph')
    await eventually('the bad file refused', () => logged.includes('new supergraph rejected; keeping the current schema'))
    const { body } = await query(stack, DESCRIPTION)
    assert.equal(body.errors, undefined)
    // the watcher is still at work after refusing the bad file: a good one is picked up
    writeFileSync(path, supergraphWithoutDescription())
    const deadline = Date.now() + 10_000
    let reloaded = false
    while (!reloaded && Date.now() < deadline) {
      reloaded = (await query(stack, DESCRIPTION)).body.errors?.[0]?.extensions?.['code'] === 'GRAPHQL_VALIDATION_FAILED'
      if (!reloaded) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.ok(reloaded, 'the good file after the bad one was picked up')
    assert.equal((await query(stack, TITLE)).body.data?.['product'].title, 'Classic Tee 001')
  })
})
