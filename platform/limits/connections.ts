import { getNullableType, isListType, isObjectType, type getNamedType, type GraphQLField } from 'graphql'

// How a field without @listSize is read as a Relay connection: sized by its first / last.

/** The slicing arguments a field takes: `first` and `last`. */
export function slicingArgumentsOf(definition: GraphQLField<unknown, unknown>): readonly string[] {
  return definition.args.filter((a) => a.name === 'first' || a.name === 'last').map((a) => a.name)
}

/** An object holding `nodes` or `edges` lists: a Relay connection. */
export function isConnection(type: ReturnType<typeof getNamedType>): boolean {
  if (!isObjectType(type)) return false
  const fields = type.getFields()
  return ['nodes', 'edges'].some((name) => fields[name] !== undefined && isListType(getNullableType(fields[name].type)))
}
