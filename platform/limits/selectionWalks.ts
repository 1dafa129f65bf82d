import { Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql'

// Two measures of an operation that need no schema, each memoized per fragment so a fragment
// spread exponentially often costs its size, not its expansion.

const INTROSPECTION_LISTS = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'args', 'directives'])

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>

/** A spread fragment's measure, once per fragment (`memo`); 0 for an unknown fragment or one spread inside itself. */
function measureSpread(
  name: string,
  fragments: Fragments,
  spreading: ReadonlySet<string>,
  memo: Map<string, number>,
  measure: (set: SelectionSetNode, spreading: ReadonlySet<string>) => number,
): number {
  const definition = fragments.get(name)
  if (!definition || spreading.has(name)) return 0
  let value = memo.get(name)
  if (value === undefined) {
    value = measure(definition.selectionSet, new Set([...spreading, name]))
    memo.set(name, value)
  }
  return value
}

/** Root fields selected (through fragments), `__typename` aside; every expansion counts. */
export function countRootFields(set: SelectionSetNode, fragments: Fragments, spreading: ReadonlySet<string>, memo: Map<string, number>): number {
  let count = 0
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === '__typename' ? 0 : 1
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, spreading, memo)
    else count += measureSpread(selection.name.value, fragments, spreading, memo, (inner, within) => countRootFields(inner, fragments, within, memo))
  }
  return count
}

/** How many introspection list fields nest in a selection (through fragments). */
export function introspectionDepth(set: SelectionSetNode | undefined, fragments: Fragments, spreading: ReadonlySet<string>, memo: Map<string, number>): number {
  if (!set) return 0
  let deepest = 0
  for (const selection of set.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      deepest = Math.max(deepest, measureSpread(selection.name.value, fragments, spreading, memo, (inner, within) => introspectionDepth(inner, fragments, within, memo)))
      continue
    }
    const here = selection.kind === Kind.FIELD && INTROSPECTION_LISTS.has(selection.name.value) ? 1 : 0
    deepest = Math.max(deepest, here + introspectionDepth(selection.selectionSet, fragments, spreading, memo))
  }
  return deepest
}
