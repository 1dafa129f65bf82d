import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { describe, it } from 'node:test'

const ROOTS = ['gateway', 'platform', 'contracts', 'subgraphs', 'operations', 'scripts', 'seed', 'examples', 'bench', 'main.ts', 'codegen.ts']
const SPECIFIER = /(?:^|\n)\s*(import|export)\s([^'";]*?\sfrom\s)?'(\.{1,2}\/[^']+)'|import\('(\.{1,2}\/[^']+)'\)/g

/** `import type { A }`, `import { type A, type B }`, `export type { A }`: gone at run time. */
function typeOnly(clause: string | undefined): boolean {
  if (!clause) return false
  const trimmed = clause.replace(/\sfrom\s$/, '').trim()
  if (trimmed.startsWith('type ')) return true
  const braces = /^\{([^}]*)\}$/.exec(trimmed)
  return braces !== null && braces[1]!.split(',').map((s) => s.trim()).filter(Boolean).every((name) => name.startsWith('type '))
}

function sources(path: string, out: string[] = []): string[] {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) if (entry !== 'node_modules' && !entry.startsWith('.')) sources(join(path, entry), out)
  } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(normalize(path))
  return out
}

/**
 * Every relative import of every source file that exists at run time: type-only imports vanish
 * when TypeScript is stripped, so a cycle through them (codegen's resolver types and the models
 * they map to) orders no module's evaluation.
 */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const targets: string[] = []
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      if (typeOnly(match[2])) continue
      const specifier = match[3] ?? match[4]
      if (specifier) targets.push(normalize(join(dirname(file), specifier)))
    }
    graph.set(file, targets)
  }
  return graph
}

/** The cycles of a graph, each once, as paths that come back to their first file. */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const seen = new Set<string>()
  const visit = (file: string) => {
    state.set(file, 'visiting')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue
      if (state.get(next) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(next)), next]
        const key = [...cycle.slice(0, -1)].sort().join('|')
        if (!seen.has(key)) {
          seen.add(key)
          cycles.push(cycle)
        }
      } else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file)
  return cycles
}

describe('imports', () => {
  it('form no cycle anywhere in the code (type-only imports aside)', () => {
    const files = ROOTS.flatMap((root) => {
      try {
        return sources(root)
      } catch {
        return []
      }
    })
    assert.ok(files.length > 100)
    const cycles = cyclesOf(importGraph(files)).map((cycle) => cycle.map((file) => relative('.', file)).join(' → '))
    assert.deepEqual(cycles, [])
  })

  it('are found when two files import each other', () => {
    assert.deepEqual(cyclesOf(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c', 'a']])
  })
})

/** Which top-level folders each may import from (type imports too: layering is about meaning). */
const LAYERS: Record<string, readonly string[]> = {
  platform: ['platform'],
  contracts: ['contracts', 'platform'],
  gateway: ['gateway', 'contracts', 'platform'],
  subgraphs: ['subgraphs', 'platform', 'seed'],
}

describe('layers', () => {
  it('import only from the layers below them', () => {
    const all = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?'(\.{1,2}\/[^']+)'|import\('(\.{1,2}\/[^']+)'\)/g
    const violations: string[] = []
    for (const [layer, allowed] of Object.entries(LAYERS)) {
      for (const file of sources(layer)) {
        if (file.endsWith('.test.ts')) continue
        for (const match of readFileSync(file, 'utf8').matchAll(all)) {
          const target = relative('.', join(dirname(file), (match[1] ?? match[2]) as string))
          const top = target.split('/')[0] as string
          if (!allowed.includes(top)) violations.push(`${file} → ${target}`)
        }
      }
    }
    assert.deepEqual(violations, [])
  })
})
