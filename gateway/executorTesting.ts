import { createHash } from 'node:crypto'
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface'
import { parse, type OperationDefinitionNode } from 'graphql'
import { ANONYMOUS, type Viewer } from '../platform/viewer.ts'

/** For tests of executor wrappers: the request context Apollo hands a gateway executor for `source`. */
export const executorRequest = (source: string, variables: Record<string, unknown> = {}, viewer: Viewer = ANONYMOUS) =>
  ({
    source,
    queryHash: createHash('sha256').update(source).digest('hex'),
    operationName: null,
    operation: parse(source).definitions[0] as OperationDefinitionNode,
    request: { query: source, variables },
    schemaHash: 'schema-1',
    context: { viewer },
  }) as unknown as GatewayGraphQLRequestContext
