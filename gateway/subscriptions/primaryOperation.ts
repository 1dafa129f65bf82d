import {
  Kind,
  parse,
  print,
  visit,
  type ArgumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql'

/** Response key under which the gateway reads each upstream event's resume cursor. */
export const CURSOR_KEY = '__gatewayCursor'
const AFTER_VARIABLE = '__gatewayAfter'

/**
 * The upstream half of a subscription, ready to be (re)sent to the owning subgraph.
 * A resumable subscription (root field with an `after: String` argument whose type has a
 * `cursor` field — the stock feed's convention) has its `after` bound to a gateway variable and
 * selects the cursor under CURSOR_KEY, so after an upstream failure the gateway re-subscribes
 * from the last event it delivered.
 */
export interface PrimaryOperation {
  readonly query: string
  readonly operationName: string | undefined
  /** The values the upstream operation's variables take for this subscriber (minus `after`). */
  readonly variables: Readonly<Record<string, unknown>>
  readonly resumable: boolean
  /** The `after` the client asked for: where the upstream stream starts. */
  readonly initialCursor: string | null
  /** The client's variable bound to `after`, if any: it shapes only the upstream, never the rest. */
  readonly clientAfterVariable: string | null
  /** Response key of the root field in the upstream result. */
  readonly rootKey: string
  /** Variables for one (re)subscription from `cursor`. */
  variablesFrom(cursor: string | null): Record<string, unknown>
}

export function preparePrimaryOperation(
  fetch: { readonly operation: string; readonly operationName: string | undefined },
  clientVariables: Readonly<Record<string, unknown>>,
  isResumable: (rootFieldName: string) => boolean,
): PrimaryOperation {
  const document = parse(fetch.operation)
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  const root = operation?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD)
  if (!operation || !root) throw new Error('a subscription plan without a root field')
  const rootKey = root.alias?.value ?? root.name.value
  const afterArgument = root.arguments?.find((a) => a.name.value === 'after')
  const resumable = isResumable(root.name.value)

  const valueOf = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined
    if (node.kind === Kind.VARIABLE) return clientVariables[node.name.value]
    if (node.kind === Kind.STRING) return node.value
    return undefined
  }
  const initial = resumable ? valueOf(afterArgument?.value) : undefined
  const initialCursor = typeof initial === 'string' ? initial : null
  const clientAfterVariable = resumable && afterArgument?.value.kind === Kind.VARIABLE ? afterArgument.value.name.value : null

  let query = fetch.operation
  if (resumable) {
    const afterValue: ArgumentNode = {
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: 'after' },
      value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } },
    }
    const rewritten = visit(document, {
      OperationDefinition(node) {
        const definition: VariableDefinitionNode = {
          kind: Kind.VARIABLE_DEFINITION,
          variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } },
          type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'String' } },
        }
        return { ...node, variableDefinitions: [...(node.variableDefinitions ?? []), definition] }
      },
    })
    const withRoot = visit(rewritten, {
      Field(node) {
        // the root field only (the first visit left its node as it was)
        if (node !== root) return undefined
        const cursorField: FieldNode = {
          kind: Kind.FIELD,
          alias: { kind: Kind.NAME, value: CURSOR_KEY },
          name: { kind: Kind.NAME, value: 'cursor' },
        }
        return {
          ...node,
          arguments: [...(node.arguments ?? []).filter((a) => a.name.value !== 'after'), afterValue],
          selectionSet: node.selectionSet ? { ...node.selectionSet, selections: [...node.selectionSet.selections, cursorField] } : node.selectionSet,
        }
      },
    })
    query = print(dropUnusedVariables(withRoot))
  }

  const used = variablesUsedIn(parse(query))
  const variables: Record<string, unknown> = {}
  for (const name of used) if (name !== AFTER_VARIABLE && clientVariables[name] !== undefined) variables[name] = clientVariables[name]

  return {
    query,
    operationName: fetch.operationName,
    variables,
    resumable,
    initialCursor,
    clientAfterVariable,
    rootKey,
    variablesFrom: (cursor) => (resumable ? { ...variables, [AFTER_VARIABLE]: cursor } : { ...variables }),
  }
}

function variablesUsedIn(document: ReturnType<typeof parse>): Set<string> {
  const used = new Set<string>()
  visit(document, {
    VariableDefinition: () => false,
    Variable(node) {
      used.add(node.name.value)
    },
  })
  return used
}

/** A client's `$after` that the gateway replaced would otherwise fail "variable never used". */
function dropUnusedVariables(document: ReturnType<typeof parse>): ReturnType<typeof parse> {
  const used = variablesUsedIn(document)
  return visit(document, {
    VariableDefinition(node) {
      return used.has(node.variable.name.value) ? undefined : null
    },
  })
}
