import {
  getNamedType,
  isNonNullType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql'
import type { Viewer } from '../../platform/viewer.ts'
import { denial, grantedScopes, type AuthorizationPolicy, type Requirement } from './authorizationPolicy.ts'
import { type ErrorCode } from '../../platform/errors.ts'

/** A field the viewer may not read, and where it would have been in the response. */
export interface DeniedField {
  /** Response keys from the root (aliases where used), without list indexes. */
  readonly path: readonly string[]
  readonly coordinate: string
  readonly code: Extract<ErrorCode, 'UNAUTHENTICATED' | 'FORBIDDEN'>
}

export type Authorization =
  /** Nothing denied: run the document as it is. */
  | { readonly kind: 'allowed' }
  /** Nullable fields denied: run `document` (without them), then null them in the response. */
  | { readonly kind: 'filtered'; readonly document: DocumentNode; readonly operation: OperationDefinitionNode; readonly denied: readonly DeniedField[] }
  /** A non-null field denied (its null would void its parent anyway): refuse the operation. */
  | { readonly kind: 'refused'; readonly denied: DeniedField }

/** Where denied fields are reported, at most (a denied field in a long list is still one path). */
const MAX_DENIED_PATHS = 50

/**
 * Authorizes an operation against `@authenticated` / `@requiresScopes` before it is planned: a
 * denied nullable field is removed from the document (so no subgraph is asked for it) and
 * answered as null with an error; a denied non-null field refuses the whole operation. A
 * selection left empty by removals takes its parent field with it, by the same rule.
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  viewer: Viewer,
  policy: AuthorizationPolicy,
): Authorization {
  if (policy.empty) return { kind: 'allowed' }
  const granted = grantedScopes(viewer)

  // 1. every field node the viewer may not read, wherever it appears (fragments included)
  const denied = new Map<FieldNode, { coordinate: string; code: DeniedField['code']; nonNull: boolean }>()
  const nonNullFields = new Map<FieldNode, boolean>()
  const typeInfo = new TypeInfo(schema)
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType()
        const field = typeInfo.getFieldDef()
        if (!parent || !field || node.name.value.startsWith('__')) return
        nonNullFields.set(node, isNonNullType(field.type))
        const requirements: Requirement[] = []
        const own = policy.field(parent.name, field.name)
        if (own) requirements.push(own)
        const ofType = policy.type(getNamedType(field.type).name)
        if (ofType) requirements.push(ofType)
        if (requirements.length === 0) return
        const code = denial(requirements, viewer, granted)
        if (code) denied.set(node, { coordinate: `${parent.name}.${field.name}`, code, nonNull: isNonNullType(field.type) })
      },
    }),
  )
  if (denied.size === 0) return { kind: 'allowed' }

  // 2. a selection emptied by removals takes its parent with it, until nothing changes
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  const emptyFragments = new Set<string>()
  const isRemoved = (selection: SelectionNode): boolean => {
    if (selection.kind === Kind.FIELD) return denied.has(selection)
    if (selection.kind === Kind.FRAGMENT_SPREAD) return emptyFragments.has(selection.name.value)
    return selection.selectionSet.selections.every(isRemoved)
  }
  const emptied = (set: SelectionSetNode | undefined): boolean => set !== undefined && set.selections.every(isRemoved)
  for (let changed = true; changed; ) {
    changed = false
    for (const [name, fragment] of fragments) {
      if (!emptyFragments.has(name) && emptied(fragment.selectionSet)) {
        emptyFragments.add(name)
        changed = true
      }
    }
    visit(document, {
      Field(node) {
        if (!denied.has(node) && emptied(node.selectionSet)) {
          const first = node.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && denied.has(s))
          denied.set(node, { coordinate: `${node.name.value}`, code: first ? denied.get(first)!.code : 'FORBIDDEN', nonNull: nonNullFields.get(node) ?? false })
          changed = true
        }
      },
    })
  }

  // 3. where the denied fields sit in the response; a denied non-null one refuses the operation
  const paths: DeniedField[] = []
  const walk = (set: SelectionSetNode, path: readonly string[], spreading: ReadonlySet<string>): DeniedField | null => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value)
        if (!fragment || spreading.has(fragment.name.value)) continue
        const refused = walk(fragment.selectionSet, path, new Set([...spreading, fragment.name.value]))
        if (refused) return refused
        continue
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const refused = walk(selection.selectionSet, path, spreading)
        if (refused) return refused
        continue
      }
      const key = selection.alias?.value ?? selection.name.value
      const reason = denied.get(selection)
      if (reason) {
        const field = { path: [...path, key], coordinate: reason.coordinate, code: reason.code }
        if (reason.nonNull) return field
        if (paths.length < MAX_DENIED_PATHS) paths.push(field)
        continue
      }
      if (selection.selectionSet) {
        const refused = walk(selection.selectionSet, [...path, key], spreading)
        if (refused) return refused
      }
    }
    return null
  }
  const refused = walk(operation.selectionSet, [], new Set())
  if (refused) return { kind: 'refused', denied: refused }
  if (emptied(operation.selectionSet)) {
    const first = paths[0]
    if (first) return { kind: 'refused', denied: first }
  }

  // 4. the document without what was denied
  const filtered = visit(document, {
    Field: (node) => (denied.has(node) ? null : undefined),
    FragmentSpread: (node) => (emptyFragments.has(node.name.value) ? null : undefined),
    InlineFragment: (node) => (node.selectionSet.selections.every(isRemoved) ? null : undefined),
    FragmentDefinition: (node) => (emptyFragments.has(node.name.value) ? null : undefined),
  })
  const filteredOperation = filtered.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operation.name?.value && d.operation === operation.operation,
  )
  if (!filteredOperation) return { kind: 'refused', denied: paths[0] as DeniedField }
  return { kind: 'filtered', document: filtered, operation: filteredOperation, denied: paths }
}
