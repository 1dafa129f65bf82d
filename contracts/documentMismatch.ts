import {
  GraphQLError,
  Kind,
  parse,
  print,
  type DefinitionNode,
  type DocumentNode,
  type ExecutableDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql'

export interface MismatchOptions {
  /** The sent text is parsed up to this many tokens (it comes from the client: its size is not yet checked). Default 2000. */
  readonly maxTokens?: number
}

/**
 * Why a document sent with a persisted id is not the one the id names (a hash mismatch), in one
 * sentence a client developer can act on: the first operation, fragment, field or `__typename`
 * where the manifest body (`expected`) and the text sent differ. Pure: no I/O, never throws.
 */
export function describeDocumentMismatch(expected: string, sent: string, options: MismatchOptions = {}): string {
  if (expected === sent) return 'The document sent is the manifest body.'
  const manifest = parsed(expected)
  if (!manifest || manifest instanceof GraphQLError) return 'The manifest body does not parse.'
  const document = parsed(sent, options.maxTokens ?? 2000)
  if (!document || document instanceof GraphQLError) return `The document sent does not parse${document ? `: ${document.message}` : '.'}`
  return (
    definitionsDiffer(manifest, document) ??
    (print(manifest) === print(document)
      ? 'Same operation, formatted otherwise: the id is the sha256 of the exact text, so send the manifest body (graphql-js print of the document).'
      : 'Same definitions in another order: the manifest prints the operation first, then its fragments by name.')
  )
}

function parsed(text: string, maxTokens?: number): DocumentNode | GraphQLError | undefined {
  try {
    return parse(text, { noLocation: true, ...(maxTokens ? { maxTokens } : {}) })
  } catch (error) {
    return error instanceof GraphQLError ? error : undefined
  }
}

const executable = (d: DefinitionNode): d is ExecutableDefinitionNode => d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION

/** `query ProductListing`, `fragment ProductCard`. */
const labelOf = (d: ExecutableDefinitionNode): string =>
  d.kind === Kind.FRAGMENT_DEFINITION ? `fragment ${d.name.value}` : `${d.operation} ${d.name?.value ?? '(anonymous)'}`

/** A definition without its selections: variables, type condition, directives. */
const headOf = (d: ExecutableDefinitionNode): string => print({ ...d, selectionSet: { kind: Kind.SELECTION_SET, selections: [] } }).replace(/\s*(\{\s*\})?$/, '')

function definitionsDiffer(manifest: DocumentNode, document: DocumentNode): string | null {
  const expected = manifest.definitions.filter(executable)
  const sent = document.definitions.filter(executable)
  const sentByLabel = new Map(sent.map((d) => [labelOf(d), d]))
  const expectedLabels = new Set(expected.map(labelOf))
  const expectedOperation = expected.find((d) => d.kind === Kind.OPERATION_DEFINITION)
  const sentOperation = sent.find((d) => d.kind === Kind.OPERATION_DEFINITION)
  if (expectedOperation && sentOperation && labelOf(expectedOperation) !== labelOf(sentOperation)) {
    return `The id names ${labelOf(expectedOperation)}, but the document sent is ${labelOf(sentOperation)}.`
  }
  for (const definition of expected) {
    const other = sentByLabel.get(labelOf(definition))
    if (!other) return `The document sent lacks ${labelOf(definition)}, which the manifest body has.`
    if (headOf(definition) !== headOf(other)) {
      return `${labelOf(definition)}: the manifest has \`${headOf(definition)}\`, the document sent \`${headOf(other)}\`.`
    }
    const difference = selectionsDiffer(definition.selectionSet, other.selectionSet, [labelOf(definition)])
    if (difference) return difference
  }
  const extra = sent.find((d) => !expectedLabels.has(labelOf(d)))
  return extra ? `The document sent has ${labelOf(extra)}, which the manifest body does not.` : null
}

/** A selection without its sub-selections: `alias: field(args) @directives`, `...Fragment`, `... on Type`. */
function keyOf(selection: SelectionNode): string {
  if (selection.kind === Kind.FIELD) {
    const { selectionSet: _nested, ...field } = selection
    return print(field)
  }
  if (selection.kind === Kind.FRAGMENT_SPREAD) return print(selection)
  return print({ ...selection, selectionSet: { kind: Kind.SELECTION_SET, selections: [] } }).replace(/\s*(\{\s*\})?$/, '')
}

/** The path segment of a selection: its response name, or the fragment. */
const stepOf = (selection: SelectionNode): string =>
  selection.kind === Kind.FIELD ? (selection.alias ?? selection.name).value : selection.kind === Kind.FRAGMENT_SPREAD ? `...${selection.name.value}` : `... on ${selection.typeCondition?.name.value ?? '(untyped)'}`

const TYPENAME_HINT = 'manifest bodies carry __typename in every selection set but the root, as Apollo Client sends them: send the manifest body or the generated typed document'

/** Differences in a selection set first (shallowest first), then in its selections, in order. */
function selectionsDiffer(expected: SelectionSetNode | undefined, sent: SelectionSetNode | undefined, path: string[]): string | null {
  const at = path.join(' > ')
  const mine = expected?.selections ?? []
  const theirs = sent?.selections ?? []
  const [keysA, keysB] = [mine.map(keyOf), theirs.map(keyOf)]
  const missing = keysA.filter((k) => !keysB.includes(k))
  const extra = keysB.filter((k) => !keysA.includes(k))
  if (missing.includes('__typename')) return `At ${at}: the manifest body selects __typename, the document sent does not (${TYPENAME_HINT}).`
  if (extra.includes('__typename')) return `At ${at}: the document sent selects __typename, the manifest body does not (a manifest built without the __typename Apollo Client adds).`
  if (missing[0] !== undefined && extra[0] !== undefined) return `At ${at}: the manifest body selects \`${missing[0]}\`, the document sent has \`${extra[0]}\` there instead.`
  if (missing[0] !== undefined) return `At ${at}: the document sent lacks \`${missing[0]}\`, which the manifest body selects.`
  if (extra[0] !== undefined) return `At ${at}: the document sent also selects \`${extra[0]}\`, which the manifest body does not.`
  const moved = keysA.findIndex((k, i) => k !== keysB[i])
  if (moved >= 0) return `At ${at}: the same selections in another order (\`${keysB[moved]}\` where the manifest body has \`${keysA[moved]}\`).`
  for (const [i, selection] of mine.entries()) {
    const nested = selectionsDiffer(subSelections(selection), subSelections(theirs[i]!), [...path, stepOf(selection)])
    if (nested) return nested
  }
  return null
}

const subSelections = (selection: SelectionNode): SelectionSetNode | undefined => (selection.kind === Kind.FRAGMENT_SPREAD ? undefined : selection.selectionSet)
