import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Kind, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql'
import { apiSchemaOf } from '../contracts/buildManifest.ts'
import { OrderStatusDocument } from '../operations/partner/generated/graphql.ts'
import { ProductPageDocument, type ProductPageQuery, type ProductPageQueryVariables } from '../operations/storefront/generated/graphql.ts'

const operationOf = (document: DocumentNode): OperationDefinitionNode => {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  assert.equal(operations.length, 1)
  return operations[0] as OperationDefinitionNode
}

describe('typed client documents (operations/<client>/generated/)', () => {
  const schema = apiSchemaOf(readFileSync('supergraph.graphql', 'utf8'))

  it('ProductPageDocument is the ProductPage query, valid against the API schema', () => {
    assert.equal(ProductPageDocument.kind, Kind.DOCUMENT)
    const operation = operationOf(ProductPageDocument)
    assert.equal(operation.operation, 'query')
    assert.equal(operation.name?.value, 'ProductPage')
    assert.deepEqual(validate(schema, ProductPageDocument), [])
    // compile-time: the variables and result types follow the operation
    const variables: ProductPageQueryVariables = { handle: 'tee', currency: 'EUR' }
    const title = (result: ProductPageQuery): string | undefined => result.product?.title
    assert.equal(variables.handle, 'tee')
    assert.equal(title({ product: null }), undefined)
  })

  it('the partner client has its own documents', () => {
    assert.equal(operationOf(OrderStatusDocument).name?.value, 'OrderStatus')
    assert.deepEqual(validate(schema, OrderStatusDocument), [])
  })
})
