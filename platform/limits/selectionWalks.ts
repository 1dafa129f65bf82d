import { Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql'

// Two measures of an operation that need no schema, each memoized per fragment so a fragment
// spread exponentially often costs its size, not its expansion.

const INTROSPECTION_LISTS = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'args', 'directives'])

/** Root fields selected (through fragments), `__typename` aside; every expansion counts. */
export function countRootFields(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  spreading: ReadonlySet<string>,
  memo: Map<string, number>,
): number {
  let count = 0
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === '__typename' ? 0 : 1
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, spreading, memo)
    else {
      const name = selection.name.value
      const definition = fragments.get(name)
      if (!definition || spreading.has(name)) continue
      let fields = memo.get(name)
      if (fields === undefined) {
        fields = countRootFields(definition.selectionSet, fragments, new Set([...spreading, name]), memo)
        memo.set(name, fields)
      }
      count += fields
    }
  }
  return count
}

/** How many introspection list fields nest in a selection (through fragments). */
export function introspectionDepth(
  set: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  spreading: ReadonlySet<string>,
  memo: Map<string, number>,
): number {
  if (!set) return 0
  let deepest = 0
  for (const selection of set.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value
      const definition = fragments.get(name)
      if (!definition || spreading.has(name)) continue
      let depth = memo.get(name)
      if (depth === undefined) {
        depth = introspectionDepth(definition.selectionSet, fragments, new Set([...spreading, name]), memo)
        memo.set(name, depth)
      }
      deepest = Math.max(deepest, depth)
      continue
    }
    const here = selection.kind === Kind.FIELD && INTROSPECTION_LISTS.has(selection.name.value) ? 1 : 0
    deepest = Math.max(deepest, here + introspectionDepth(selection.selectionSet, fragments, spreading, memo))
  }
  return deepest
}
