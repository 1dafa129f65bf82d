import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildASTSchema, getOperationAST, parse, print } from 'graphql'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import { readAuthorizationPolicy } from './authorizationPolicy.ts'
import { authorizeOperation } from './authorizeOperation.ts'

const sdl = parse(`
  directive @authenticated on FIELD_DEFINITION | OBJECT
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  type Query {
    products: [Product!]!
    me: Customer @authenticated
    orders: [Order!]! @authenticated
    ledger: Ledger
  }
  type Product { id: ID! title: String! cost: Int @requiresScopes(scopes: [["role:staff"], ["cost:read"]]) }
  type Customer { id: ID! }
  type Order { id: ID! }
  type Ledger @requiresScopes(scopes: [["role:staff"]]) { balance: Int }
`)
const schema = buildASTSchema(sdl, { assumeValidSDL: true })
const policy = readAuthorizationPolicy(sdl)
const customer: Viewer = { sub: 'c_1', roles: ['customer'], scopes: [], locationIds: null }
const staff: Viewer = { sub: 's_1', roles: ['staff'], scopes: [], locationIds: null }

function authorize(query: string, viewer: Viewer) {
  const document = parse(query)
  return authorizeOperation(schema, document, getOperationAST(document)!, viewer, policy)
}

describe('authorizeOperation', () => {
  it('allows what the viewer may read', () => {
    assert.deepEqual(authorize('{ products { id cost } me { id } ledger { balance } }', staff), { kind: 'allowed' })
    assert.deepEqual(authorize('{ products { cost } }', { ...customer, scopes: ['cost:read'] }), { kind: 'allowed' })
  })

  it('removes a denied nullable field, through fragments and lists, and says where it was', () => {
    const result = authorize('{ products { ...P } me { id } } fragment P on Product { id price: cost }', customer)
    assert.equal(result.kind, 'filtered')
    if (result.kind !== 'filtered') return
    assert.equal(print(result.document).replace(/\s+/g, ' ').trim(), '{ products { ...P } me { id } } fragment P on Product { id }')
    assert.deepEqual(result.denied, [{ path: ['products', 'price'], coordinate: 'Product.cost', code: 'FORBIDDEN' }])
  })

  it('says UNAUTHENTICATED to an anonymous viewer, FORBIDDEN to a signed-in one', () => {
    const anonymous = authorize('{ products { id } me { id } }', ANONYMOUS)
    assert.equal(anonymous.kind === 'filtered' && anonymous.denied[0]?.code, 'UNAUTHENTICATED')
    const signedIn = authorize('{ products { id } ledger { balance } }', customer)
    assert.equal(signedIn.kind === 'filtered' && signedIn.denied[0]?.code, 'FORBIDDEN')
  })

  it('refuses the operation when a denied field is non-null', () => {
    const result = authorize('{ products { id } orders { id } }', ANONYMOUS)
    assert.deepEqual(result, { kind: 'refused', denied: { path: ['orders'], coordinate: 'Query.orders', code: 'UNAUTHENTICATED' } })
  })

  it('takes a parent whose whole selection is denied with it, and refuses when nothing is left', () => {
    const emptied = authorize('{ products { id } ledger { ... on Ledger { balance } } }', customer)
    assert.equal(emptied.kind, 'filtered')
    const nothing = authorize('{ me { id } }', ANONYMOUS)
    assert.equal(nothing.kind, 'refused')
  })
})
