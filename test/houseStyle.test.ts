import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'
import { SUBGRAPH_NAMES } from '../platform/subgraphRegistry.ts'

/** The runtime source files of a subgraph (tests and generated code aside). */
function sourcesOf(name: string): { path: string; text: string }[] {
  const root = join('subgraphs', name)
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) return entry === 'generated' ? [] : walk(path)
      return path.endsWith('.ts') && !path.endsWith('.test.ts') && !entry.startsWith('test') ? [path] : []
    })
  return walk(root).map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }))
}

/** The rules README "Adding a subgraph" states, checked on every subgraph. */
describe('the house style of every subgraph', () => {
  for (const name of SUBGRAPH_NAMES) {
    const sources = sourcesOf(name)

    it(`${name}: SQL lives in store/ (seeds and consumers included)`, () => {
      const outside = sources.filter((f) => !f.path.startsWith('store/') && /\.query(<[^>]*>)?\(/.test(f.text)).map((f) => f.path)
      assert.deepEqual(outside, [])
    })

    it(`${name}: mutations run through its kit, not the idempotency primitive`, () => {
      const direct = sources.filter((f) => /runIdempotent/.test(f.text)).map((f) => f.path)
      assert.deepEqual(direct, [])
    })

    it(`${name}: its schema's name is spelled once, in kit.ts`, () => {
      const spelled = sources.filter((f) => f.path !== 'kit.ts' && new RegExp(`'${name}'`).test(f.text)).map((f) => f.path)
      assert.deepEqual(spelled, [])
    })

    it(`${name}: events are published through kit.publish`, () => {
      const direct = sources.filter((f) => /eventPublisher|insertOutboxRow/.test(f.text)).map((f) => f.path)
      assert.deepEqual(direct, [])
    })
  }
})
