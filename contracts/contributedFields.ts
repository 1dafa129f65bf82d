import { Kind, parse, type ConstDirectiveNode, type ObjectTypeDefinitionNode } from 'graphql'

/**
 * The house rule for partial answers: a field one subgraph contributes to an entity another
 * subgraph owns must be nullable, so that the contributor being down (SUBGRAPH_UNAVAILABLE,
 * SUBGRAPH_TIMEOUT, CIRCUIT_OPEN) nulls that field alone, not its parent and the whole answer.
 * The owner of a type is the subgraph that resolves most of its fields. Returns the fields that
 * break the rule, as `Type.field (from GRAPH, owned by GRAPH)`.
 */
export function nonNullContributedFields(supergraphSdl: string): string[] {
  const found: string[] = []
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || ['Query', 'Mutation', 'Subscription'].includes(definition.name.value)) continue
    const graphs = [...new Set(joinGraphs(definition.directives, 'join__type'))]
    if (graphs.length < 2) continue
    const fields = (definition as ObjectTypeDefinitionNode).fields ?? []
    const graphsOf = (directives: readonly ConstDirectiveNode[] | undefined) => {
      const joined = joinGraphs(directives, 'join__field')
      return joined.length > 0 ? joined : graphs
    }
    const counts = new Map<string, number>()
    for (const field of fields) for (const graph of graphsOf(field.directives)) counts.set(graph, (counts.get(graph) ?? 0) + 1)
    const owner = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0]
    for (const field of fields) {
      const from = graphsOf(field.directives)
      if (owner && !from.includes(owner) && field.type.kind === Kind.NON_NULL_TYPE) {
        found.push(`${definition.name.value}.${field.name.value} (from ${from.join(', ')}, owned by ${owner})`)
      }
    }
  }
  return found
}

function joinGraphs(directives: readonly ConstDirectiveNode[] | undefined, name: string): string[] {
  return (directives ?? [])
    .filter((directive) => directive.name.value === name)
    .flatMap((directive) => {
      const graph = directive.arguments?.find((argument) => argument.name.value === 'graph')?.value
      return graph?.kind === Kind.ENUM ? [graph.value] : []
    })
}
