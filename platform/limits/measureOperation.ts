import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromASTUntyped,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql'
import type { CostDirectives, ListSize } from './costDirectives.ts'
import { isConnection, slicingArgumentsOf } from './connections.ts'
import { countRootFields, introspectionDepth } from './selectionWalks.ts'

/**
 * Measures an operation before anything runs it: how deep it nests, how many aliases, root
 * fields and directives it uses, and its estimated cost — the number of objects it may make the
 * services produce, following IBM's cost spec as Apollo's demand control reads it:
 *
 * - an object (or interface, union) field costs 1, a scalar or enum 0, a root mutation field 10,
 *   unless `@cost(weight:)` on the field or its type says otherwise;
 * - a list multiplies what it holds by its size: the slicing argument (`first` / `last`) when
 *   sent, else its default (at most the largest page a service serves), else
 *   `@listSize(assumedSize:)`, else a default size;
 *   `@listSize(sizedFields: ["nodes", "edges"])` moves a connection's size onto its lists;
 *   fields without `@listSize` that take `first`/`last` and hold `nodes`/`edges` are read the same;
 * - each parent object whose fields come from another subgraph than the parent's own costs
 *   `entityHopCost` more (an entity representation sent to that subgraph);
 * - `_entities(representations:)` (a subgraph's view) is a list as long as its representations.
 *
 * Depth counts fields, through fragment spreads and inline fragments. Introspection
 * (`__schema`, `__type`) is left out of depth and cost and measured on its own: how many of its
 * list fields nest (the standard introspection query nests three: types → fields → args; its
 * types → fields → type → fields cycle is the introspection bomb).
 *
 * Fragments are measured once per context, so a document of N nodes costs O(N) to measure even
 * when fragments spread each other exponentially often.
 */
export interface OperationMeasures {
  readonly depth: number
  readonly aliases: number
  readonly rootFields: number
  readonly directives: number
  readonly cost: number
  /** List fields nested inside `__schema` / `__type` (0 without introspection). */
  readonly introspectionDepth: number
  /** Whether it selects `__schema` or `__type` anywhere. */
  readonly introspection: boolean
  /** Subgraphs the operation reads from (supergraph names, e.g. INVENTORY), when known. */
  readonly graphs: ReadonlySet<string>
  /** Identifiers the operation names in its arguments (ids, SKUs, handles), at most MAX_KEYS. */
  readonly keys: readonly string[]
}

export interface MeasureOptions {
  readonly schema: GraphQLSchema
  readonly costs: CostDirectives
  /**
   * The request's variables; `null` measures the worst case (a persisted operation checked when
   * its manifest loads): a slicing variable with no default counts as `maxListSize`.
   */
  readonly variables: Readonly<Record<string, unknown>> | null
  readonly defaultListSize: number
  readonly maxListSize: number
  readonly entityHopCost: number
}

const MAX_KEYS = 200
const MAX_KEY_DEPTH = 3
const KEY_ARGUMENTS = new Set(['id', 'ids', 'sku', 'skus', 'handle', 'number', 'productId', 'variantId', 'orderId', 'cartId'])
const MUTATION_FIELD_WEIGHT = 10
/** A slicing argument sent as a variable whose value is unknown (static measure). */
const UNKNOWN = Symbol('unknown')

interface Summary {
  depth: number
  aliases: number
  directives: number
  cost: number
  introspectionDepth: number
  introspection: boolean
  graphs: Set<string>
  keys: string[]
}

/** The lists a connection's size applies to, and that size. */
interface Sized {
  readonly fields: readonly string[]
  readonly size: number
}

interface Context {
  readonly graph: string | null
  readonly sized: Sized | null
}

export function measureOperation(document: DocumentNode, operation: OperationDefinitionNode, options: MeasureOptions): OperationMeasures {
  const { schema, costs } = options
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  }
  const variableDefaults = new Map<string, ValueNode>()
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, definition.defaultValue)
  }
  const memo = new Map<string, Summary>()
  const introspectionMemo = new Map<string, number>()
  const inProgress = new Set<string>()

  const variableValue = (name: string): unknown => {
    if (options.variables && Object.hasOwn(options.variables, name)) return options.variables[name]
    const fallback = variableDefaults.get(name)
    if (fallback) return valueFromASTUntyped(fallback)
    return options.variables === null ? UNKNOWN : undefined
  }
  const literal = (node: ValueNode): unknown => {
    if (node.kind === Kind.VARIABLE) return variableValue(node.name.value)
    if (node.kind === Kind.LIST) return node.values.map(literal)
    if (node.kind === Kind.OBJECT) return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]))
    return valueFromASTUntyped(node)
  }
  const argumentValue = (node: FieldNode, definition: GraphQLField<unknown, unknown>, name: string): unknown => {
    const sent = node.arguments?.find((a) => a.name.value === name)
    if (sent) return literal(sent.value)
    return definition.args.find((a) => a.name === name)?.defaultValue
  }
  const sliceSize = (node: FieldNode, definition: GraphQLField<unknown, unknown>, listSize: ListSize | null, slicing: readonly string[]): number => {
    let size: number | null = null
    for (const name of slicing) {
      const value = argumentValue(node, definition, name)
      if (value === UNKNOWN) size = Math.max(size ?? 0, options.maxListSize)
      else if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, value)
    }
    // a page larger than MAX_PAGE_SIZE is refused by the service itself, so it never costs more
    if (size !== null) return Math.min(options.maxListSize, Math.max(0, Math.ceil(size)))
    return listSize?.assumedSize ?? options.defaultListSize
  }

  const empty = (): Summary => ({ depth: 0, aliases: 0, directives: 0, cost: 0, introspectionDepth: 0, introspection: false, graphs: new Set(), keys: [] })
  const merge = (into: Summary, from: Summary): void => {
    into.depth = Math.max(into.depth, from.depth)
    into.aliases += from.aliases
    into.directives += from.directives
    into.cost += from.cost
    into.introspectionDepth = Math.max(into.introspectionDepth, from.introspectionDepth)
    into.introspection ||= from.introspection
    for (const graph of from.graphs) into.graphs.add(graph)
    for (const key of from.keys) if (into.keys.length < MAX_KEYS) into.keys.push(key)
  }

  const collectKeys = (args: readonly ArgumentNode[] | undefined, into: Summary): void => {
    // variables are the client's JSON, not yet coerced: look only a few levels into input
    // objects (filter: { skus }), however deep they nest
    const visit = (name: string, value: unknown, depth: number): void => {
      if (into.keys.length >= MAX_KEYS) return
      if (KEY_ARGUMENTS.has(name)) {
        for (const item of Array.isArray(value) ? value.slice(0, MAX_KEYS) : [value]) {
          if ((typeof item === 'string' || typeof item === 'number') && into.keys.length < MAX_KEYS) into.keys.push(String(item))
        }
      } else if (depth < MAX_KEY_DEPTH && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [key, nested] of Object.entries(value)) visit(key, nested, depth + 1)
      }
    }
    for (const arg of args ?? []) visit(arg.name.value, literal(arg.value), 0)
  }

  const selections = (parentType: GraphQLCompositeType, set: SelectionSetNode, context: Context): Summary => {
    const summary = empty()
    const hopped = new Set<string>()
    for (const selection of set.selections) {
      summary.directives += selection.directives?.length ?? 0
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType
        if (type && isCompositeType(type)) merge(summary, selections(type, selection.selectionSet, context))
        continue
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        merge(summary, fragment(selection.name.value, context))
        continue
      }
      if (selection.alias) summary.aliases++
      const name = selection.name.value
      if (name === '__typename') {
        summary.depth = Math.max(summary.depth, 1)
        continue
      }
      if (name === '__schema' || name === '__type') {
        summary.introspection = true
        summary.introspectionDepth = Math.max(summary.introspectionDepth, introspectionDepth(selection.selectionSet, fragments, new Set(), introspectionMemo))
        continue
      }
      if (!isObjectType(parentType) && !isInterfaceType(parentType)) continue
      const definition = parentType.getFields()[name]
      if (!definition) continue
      const fieldCost = costs.field(parentType.name, name)
      const namedType = getNamedType(definition.type)

      // which subgraph serves this field; another one than the parent's is an entity hop
      const fieldGraphs = fieldCost?.graphs.length ? fieldCost.graphs : costs.typeGraphs(parentType.name)
      let graph = context.graph
      if (fieldGraphs.length > 0 && (graph === null || !fieldGraphs.includes(graph))) {
        const next = fieldGraphs[0] as string
        if (graph !== null && !hopped.has(next)) {
          hopped.add(next)
          summary.cost += options.entityHopCost
        }
        graph = next
      }
      if (graph !== null) summary.graphs.add(graph)
      collectKeys(selection.arguments, summary)

      const weight =
        fieldCost?.weight ??
        costs.typeWeight(namedType.name) ??
        (parentType === schema.getMutationType() ? MUTATION_FIELD_WEIGHT : isCompositeType(namedType) ? 1 : 0)
      const listSize = fieldCost?.listSize ?? null
      const isList = isListType(getNullableType(definition.type))
      let multiplier = 1
      if (name === '_entities') {
        const representations = argumentValue(selection, definition, 'representations')
        multiplier = Array.isArray(representations) ? representations.length : options.defaultListSize
      } else if (context.sized?.fields.includes(name) && isList) {
        multiplier = context.sized.size
      } else if (isList && !(listSize && listSize.sizedFields.length > 0)) {
        multiplier = sliceSize(selection, definition, listSize, listSize?.slicingArguments ?? slicingArgumentsOf(definition))
      }

      // a connection passes its size on to the lists named in sizedFields (nodes, edges)
      let sized: Sized | null = null
      if (listSize && listSize.sizedFields.length > 0) {
        sized = { fields: listSize.sizedFields, size: sliceSize(selection, definition, listSize, listSize.slicingArguments) }
      } else if (!listSize && !isList && isConnection(namedType)) {
        sized = { fields: ['nodes', 'edges'], size: sliceSize(selection, definition, null, slicingArgumentsOf(definition)) }
      }

      let child = empty()
      if (selection.selectionSet && isCompositeType(namedType)) child = selections(namedType, selection.selectionSet, { graph, sized })
      summary.depth = Math.max(summary.depth, 1 + child.depth)
      summary.aliases += child.aliases
      summary.directives += child.directives
      summary.cost += multiplier * (weight + child.cost)
      summary.introspectionDepth = Math.max(summary.introspectionDepth, child.introspectionDepth)
      summary.introspection ||= child.introspection
      for (const g of child.graphs) summary.graphs.add(g)
      for (const key of child.keys) if (summary.keys.length < MAX_KEYS) summary.keys.push(key)
    }
    return summary
  }

  const fragment = (name: string, context: Context): Summary => {
    const key = `${name}|${context.graph ?? ''}|${context.sized ? `${context.sized.fields.join(',')}=${context.sized.size}` : ''}`
    const known = memo.get(key)
    if (known) return known
    const definition = fragments.get(name)
    // fragment cycles are refused by validation; measured as empty if one ever gets here
    if (!definition || inProgress.has(key)) return empty()
    const type = schema.getType(definition.typeCondition.name.value)
    if (!type || !isCompositeType(type)) return empty()
    inProgress.add(key)
    const summary = selections(type, definition.selectionSet, context)
    summary.directives += definition.directives?.length ?? 0
    inProgress.delete(key)
    memo.set(key, summary)
    return summary
  }

  const rootType = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType()
  const total = rootType ? selections(rootType, operation.selectionSet, { graph: null, sized: null }) : empty()
  total.directives += (operation.directives?.length ?? 0) + (operation.variableDefinitions ?? []).reduce((n, v) => n + (v.directives?.length ?? 0), 0)
  return {
    depth: total.depth,
    aliases: total.aliases,
    rootFields: countRootFields(operation.selectionSet, fragments, new Set(), new Map()),
    directives: total.directives,
    cost: total.cost,
    introspectionDepth: total.introspectionDepth,
    introspection: total.introspection,
    graphs: total.graphs,
    keys: total.keys,
  }
}
