import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql'
import { graphqlError } from './errors.ts'

/**
 * A subgraph's execution deadline. graphql-js cannot cancel an execution that has started, so the
 * deadline is enforced where work starts: every field resolver with an explicit `resolve` checks
 * it first and, once it has passed, throws REQUEST_TIMEOUT instead of running (no more SQL, no
 * more entity lookups). What already runs finishes; what is left is answered with errors at once.
 */

/** The context key holding the deadline (a ms timestamp); a symbol, so no subgraph field collides. */
export const DEADLINE = Symbol('commerce.deadline')

/** Puts the deadline into a request's context (the object the context function just built). */
export function withDeadline<Context extends object>(context: Context, deadline: number): Context {
  return Object.assign(context, { [DEADLINE]: deadline })
}

const wrapped = new WeakSet<GraphQLFieldResolver<unknown, unknown>>()

/**
 * Wraps, in place and once, every field resolver of the schema that has an explicit `resolve`:
 * root fields, `Query._entities` (which runs `__resolveReference`), mutations and type fields.
 * Fields without one keep graphql-js's default resolver, a property read not worth a clock
 * read. Subscription root fields are left alone: their `resolve` runs per event of a long-lived
 * stream, and graphql-ws contexts carry no deadline anyway.
 */
export function enforceDeadlines(schema: GraphQLSchema): void {
  const subscription = schema.getSubscriptionType()
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type === subscription) continue
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve
      if (!resolve || resolve === defaultFieldResolver || wrapped.has(resolve)) continue
      const guarded: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
        const deadline = (context as { [DEADLINE]?: unknown } | null | undefined)?.[DEADLINE]
        if (typeof deadline === 'number' && Date.now() > deadline) {
          throw graphqlError('REQUEST_TIMEOUT', 'The service ran out of time for this request; ask for less or retry')
        }
        return resolve(source, args, context, info)
      }
      wrapped.add(guarded)
      field.resolve = guarded
    }
  }
}
