import { Kind, print, visit, type DefinitionNode, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql'

/**
 * A document as Apollo Client sends it, so that a manifest built here is the one Apollo's own
 * generator (`@apollo/generate-persisted-query-manifest`) would write and the ids Apollo Client
 * takes from it are the ones the gateway trusts. Apollo Client 4's InMemoryCache transforms every
 * document with `addTypenameToDocument` before it reaches a link; the links print it with
 * graphql-js `print`; the manifest generator and the verification link of
 * `@apollo/persisted-query-lists` print it after `sortTopLevelDefinitions`.
 */

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }

/**
 * `__typename` appended to every selection set but an operation's root, as Apollo Client's
 * `addTypenameToDocument` does: a set that already selects `__typename` (or any `__` field, such as
 * introspection's) is left alone, and so is the set under a field marked `@export`. The cache
 * needs the typename to normalize entities; without it they come back as `{}`.
 */
export function addTypenameToSelectionSets(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet: {
      enter(node: SelectionSetNode, _key, parent) {
        // a selection set's parent is a node (an operation, a fragment, a field or an inline fragment)
        const owner = parent as { kind?: string; directives?: readonly { name: { value: string } }[] } | undefined
        if (owner?.kind === Kind.OPERATION_DEFINITION) return undefined
        if (node.selections.some((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'))) return undefined
        if (owner?.kind === Kind.FIELD && owner.directives?.some((d) => d.name.value === 'export')) return undefined
        return { ...node, selections: [...node.selections, TYPENAME] }
      },
    },
  })
}

const nameOf = (definition: DefinitionNode): string =>
  definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION ? (definition.name?.value ?? '') : ''

/**
 * Operations first, then fragments, each by name: the order of `sortTopLevelDefinitions` from
 * `@apollo/persisted-query-lists` (by kind descending, then name), so a body does not depend on
 * where a fragment was written.
 */
export function sortTopLevelDefinitions(document: DocumentNode): DocumentNode {
  const definitions = [...document.definitions].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind > b.kind ? -1 : 1
    const [x, y] = [nameOf(a), nameOf(b)]
    return x < y ? -1 : x > y ? 1 : 0
  })
  return { ...document, definitions }
}

/** The manifest body of an operation document (the operation and the fragments it uses). */
export function manifestBodyOf(document: DocumentNode): string {
  return print(sortTopLevelDefinitions(addTypenameToSelectionSets(document)))
}
