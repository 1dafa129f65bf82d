import { Kind, valueFromASTUntyped, type DirectiveNode, type DocumentNode } from 'graphql'

/**
 * What the schema says about the cost of its fields, read from the SDL: IBM's `@cost` and
 * `@listSize` (https://ibm.github.io/graphql-specs/cost-spec.html, as Federation 2.9 imports
 * them) and, in a supergraph, which subgraphs resolve each field (`@join__field` /
 * `@join__type`), so the estimate can charge a hop from one subgraph to another.
 *
 * Read from the SDL rather than from a built schema: Apollo's API schema drops every directive,
 * and the same reader serves a subgraph's own `schema.graphql`.
 */
export interface ListSize {
  readonly assumedSize: number | null
  readonly slicingArguments: readonly string[]
  readonly sizedFields: readonly string[]
  readonly requireOneSlicingArgument: boolean
}

export interface FieldCost {
  /** `@cost(weight:)` on the field, when set. */
  readonly weight: number | null
  readonly listSize: ListSize | null
  /** Subgraphs that resolve the field (empty: unknown, or not a supergraph). */
  readonly graphs: readonly string[]
}

export interface CostDirectives {
  field(typeName: string, fieldName: string): FieldCost | undefined
  /** `@cost(weight:)` on a type (object, scalar, enum), when set. */
  typeWeight(typeName: string): number | null
  /** Subgraphs that define a type (empty when unknown). */
  typeGraphs(typeName: string): readonly string[]
}

const NO_GRAPHS: readonly string[] = Object.freeze([])

export function readCostDirectives(sdl: DocumentNode): CostDirectives {
  const fields = new Map<string, FieldCost>()
  const typeWeights = new Map<string, number>()
  const typeGraphs = new Map<string, string[]>()

  for (const definition of sdl.definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue
    const typeName = definition.name.value
    const directives = definition.directives ?? []
    const weight = costWeight(directives)
    if (weight !== null) typeWeights.set(typeName, weight)
    const graphs = directives.filter((d) => d.name.value === 'join__type').map((d) => stringArgument(d, 'graph')).filter(isString)
    if (graphs.length > 0) typeGraphs.set(typeName, [...(typeGraphs.get(typeName) ?? []), ...graphs])

    if (!('fields' in definition) || !definition.fields) continue
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_EXTENSION) continue
    for (const field of definition.fields) {
      const fieldDirectives = field.directives ?? []
      const joins = fieldDirectives.filter((d) => d.name.value === 'join__field')
      fields.set(`${typeName}.${field.name.value}`, {
        weight: costWeight(fieldDirectives),
        listSize: listSize(fieldDirectives),
        // an external field is only declared there, resolved elsewhere
        graphs: joins.filter((d) => argument(d, 'external') !== true).map((d) => stringArgument(d, 'graph')).filter(isString),
      })
    }
  }

  return {
    field: (typeName, fieldName) => fields.get(`${typeName}.${fieldName}`),
    typeWeight: (typeName) => typeWeights.get(typeName) ?? null,
    typeGraphs: (typeName) => typeGraphs.get(typeName) ?? NO_GRAPHS,
  }
}

function costWeight(directives: readonly DirectiveNode[]): number | null {
  const cost = directives.find((d) => d.name.value === 'cost')
  const weight = cost ? argument(cost, 'weight') : undefined
  return typeof weight === 'number' ? weight : null
}

function listSize(directives: readonly DirectiveNode[]): ListSize | null {
  const directive = directives.find((d) => d.name.value === 'listSize')
  if (!directive) return null
  const assumedSize = argument(directive, 'assumedSize')
  const slicing = argument(directive, 'slicingArguments')
  const sized = argument(directive, 'sizedFields')
  const requireOne = argument(directive, 'requireOneSlicingArgument')
  return {
    assumedSize: typeof assumedSize === 'number' ? assumedSize : null,
    slicingArguments: Array.isArray(slicing) ? slicing.filter(isString) : [],
    sizedFields: Array.isArray(sized) ? sized.filter(isString) : [],
    requireOneSlicingArgument: requireOne !== false,
  }
}

function argument(directive: DirectiveNode, name: string): unknown {
  const node = directive.arguments?.find((a) => a.name.value === name)
  return node ? valueFromASTUntyped(node.value) : undefined
}

/** `graph: CATALOG` is an enum value; read as its name. */
function stringArgument(directive: DirectiveNode, name: string): string | undefined {
  const value = argument(directive, name)
  return typeof value === 'string' ? value : undefined
}

const isString = (value: unknown): value is string => typeof value === 'string'
