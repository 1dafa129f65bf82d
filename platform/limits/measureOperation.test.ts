import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildASTSchema, getOperationAST, parse } from 'graphql'
import { checkLimits, MAX_INTROSPECTION_DEPTH } from './checkLimits.ts'
import { readCostDirectives } from './costDirectives.ts'
import { measureOperation, type MeasureOptions } from './measureOperation.ts'

// a two-subgraph supergraph in miniature: products in CATALOG, stock in INVENTORY
const sdl = parse(`
  directive @join__type(graph: String, key: String) repeatable on OBJECT
  directive @join__field(graph: String, external: Boolean) repeatable on FIELD_DEFINITION
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  type Query @join__type(graph: "CATALOG") @join__type(graph: "INVENTORY") {
    products(first: Int, last: Int, after: String): ProductConnection!
      @join__field(graph: "CATALOG") @listSize(slicingArguments: ["first", "last"], sizedFields: ["nodes", "edges"], requireOneSlicingArgument: false, assumedSize: 20)
    product(id: ID, handle: String): Product @join__field(graph: "CATALOG")
    tags: [String!]! @join__field(graph: "CATALOG")
    categories: [Category!]! @join__field(graph: "CATALOG") @listSize(assumedSize: 7)
    legacy(first: Int = 30): LegacyConnection! @join__field(graph: "CATALOG")
  }
  type Mutation @join__type(graph: "CATALOG") {
    rename(id: ID!, title: String!): Product @join__field(graph: "CATALOG")
    expensive: Product @join__field(graph: "CATALOG") @cost(weight: 50)
  }
  type Category @join__type(graph: "CATALOG") { id: ID! name: String! }
  type ProductConnection @join__type(graph: "CATALOG") { nodes: [Product!]! edges: [ProductEdge!]! }
  type ProductEdge @join__type(graph: "CATALOG") { node: Product! }
  type LegacyConnection @join__type(graph: "CATALOG") { nodes: [Product!]! }
  type Product @join__type(graph: "CATALOG", key: "id") @join__type(graph: "INVENTORY", key: "id") {
    id: ID!
    title: String! @join__field(graph: "CATALOG")
    priceRange: Int @join__field(graph: "CATALOG") @cost(weight: 3)
    related: [Product!]! @join__field(graph: "CATALOG") @listSize(assumedSize: 4)
    stock: Int @join__field(graph: "INVENTORY")
    locations: [String!]! @join__field(graph: "INVENTORY")
  }
`)
const schema = buildASTSchema(sdl, { assumeValidSDL: true })
const costs = readCostDirectives(sdl)
const base: MeasureOptions = { schema, costs, variables: {}, defaultListSize: 10, maxListSize: 100, entityHopCost: 1 }

function measure(query: string, options: Partial<MeasureOptions> = {}) {
  const document = parse(query)
  const operation = getOperationAST(document)
  assert.ok(operation)
  return measureOperation(document, operation, { ...base, ...options })
}

describe('measureOperation', () => {
  it('counts an object as 1, a scalar as 0, and multiplies a connection by its first', () => {
    // products 1 + 5 × (Product 1)
    assert.equal(measure('{ products(first: 5) { nodes { id title } } }').cost, 6)
  })

  it('takes the slicing argument from variables, then from @listSize assumedSize, then from the argument default', () => {
    assert.equal(measure('query($n: Int) { products(first: $n) { nodes { id } } }', { variables: { n: 40 } }).cost, 41)
    assert.equal(measure('{ products { nodes { id } } }').cost, 21)
    // no @listSize: a connection by shape, sized by its argument's default
    assert.equal(measure('{ legacy { nodes { id } } }').cost, 31)
  })

  it('measures the worst case when variables are unknown: a slicing variable without a default is the largest page', () => {
    assert.equal(measure('query($n: Int) { products(first: $n) { nodes { id } } }', { variables: null }).cost, 101)
    assert.equal(measure('query($n: Int = 7) { products(first: $n) { nodes { id } } }', { variables: null }).cost, 8)
  })

  it('uses @cost weights on fields and @listSize on plain lists, and the default size for lists without it', () => {
    assert.equal(measure('{ product(id: "1") { priceRange related { id } } }').cost, 1 + 3 + 4)
    assert.equal(measure('{ categories { id } }').cost, 7)
    // a list of scalars costs nothing however long
    assert.equal(measure('{ tags }').cost, 0)
  })

  it('charges a mutation root field 10, or its @cost', () => {
    assert.equal(measure('mutation { rename(id: "1", title: "x") { id } }').cost, 10)
    assert.equal(measure('mutation { expensive { id } }').cost, 50)
  })

  it('charges each parent an entity hop once per other subgraph it reads from', () => {
    // 10 products × (1 + one hop to INVENTORY for stock and locations together)
    const measured = measure('{ products(first: 10) { nodes { title stock locations } } }')
    assert.equal(measured.cost, 1 + 10 * (1 + 1))
    assert.deepEqual([...measured.graphs].sort(), ['CATALOG', 'INVENTORY'])
  })

  it('multiplies nested lists, so the fan-out of a deep query shows in its cost', () => {
    const nested = measure('{ products(first: 100) { nodes { related { related { related { id } } } } } }')
    assert.equal(nested.cost, 1 + 100 * (1 + 4 * (1 + 4 * (1 + 4))))
    assert.equal(nested.depth, 6)
  })

  it('counts depth, aliases and directives through fragments and inline fragments', () => {
    const measured = measure(`
      query Q($skip: Boolean!) { a: product(id: "1") { ...P } b: product(id: "2") @skip(if: $skip) { ... on Product { title } } }
      fragment P on Product { related { ...R } }
      fragment R on Product { x: id y: title }
    `)
    assert.equal(measured.depth, 3)
    assert.equal(measured.aliases, 4)
    assert.equal(measured.directives, 1)
    assert.equal(measured.rootFields, 2)
  })

  it('measures a fragment bomb in time linear in the document and counts every expansion', () => {
    const levels = 40
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n')
    const started = performance.now()
    const measured = measure(`{ ...F0 }\n${fragments}\nfragment F${levels} on Query { a: tags }`)
    assert.ok(performance.now() - started < 1000)
    assert.equal(measured.aliases, 2 ** levels)
    assert.equal(measured.rootFields, 2 ** levels)
  })

  it('leaves introspection out of depth and cost and measures how many of its lists nest', () => {
    const standard = measure('{ __schema { types { name fields { name args { name type { name ofType { name ofType { name } } } } } } } }')
    assert.equal(standard.cost, 0)
    assert.equal(standard.introspection, true)
    assert.equal(standard.introspectionDepth, 3)
    const bomb = measure('{ __type(name: "Query") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }')
    assert.equal(bomb.introspectionDepth, 4)
    assert.equal(checkLimits(bomb, { maxDepth: 6, maxAliases: 15, maxRootFields: 10, maxDirectives: 50 }, 1000)?.code, 'MAX_DEPTH_EXCEEDED')
    assert.equal(MAX_INTROSPECTION_DEPTH, 3)
  })

  it('collects the identifiers an operation names, from literals and variables', () => {
    assert.deepEqual(measure('query($h: String) { a: product(id: "p1") { id } b: product(handle: $h) { id } }', { variables: { h: 'shoe' } }).keys, ['p1', 'shoe'])
  })

  it('reads _entities as a list as long as its representations', () => {
    const subgraph = parse(`
      scalar _Any
      union _Entity = Product
      type Query { _entities(representations: [_Any!]!): [_Entity]! }
      type Product { id: ID! related: [Product!]! @listSize(assumedSize: 3) }
      directive @listSize(assumedSize: Int) on FIELD_DEFINITION
    `)
    const measured = measureOperation(
      parse('query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { related { id } } } }'),
      getOperationAST(parse('query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { related { id } } } }')) as never,
      { ...base, schema: buildASTSchema(subgraph, { assumeValidSDL: true }), costs: readCostDirectives(subgraph), variables: { r: Array.from({ length: 50 }, () => ({})) } },
    )
    assert.equal(measured.cost, 50 * (1 + 3))
  })
})

describe('checkLimits', () => {
  const limits = { maxDepth: 3, maxAliases: 2, maxRootFields: 2, maxDirectives: 1 }
  const measures = { depth: 1, aliases: 0, rootFields: 1, directives: 0, cost: 5, introspectionDepth: 0, introspection: false, graphs: new Set<string>(), keys: [] }

  it('names the first limit broken, with the limit and what the operation had', () => {
    assert.deepEqual(checkLimits({ ...measures, depth: 4 }, limits, 10), {
      code: 'MAX_DEPTH_EXCEEDED',
      limit: 3,
      actual: 4,
      message: 'The operation nests fields 4 deep; at most 3 are allowed',
    })
    assert.equal(checkLimits({ ...measures, aliases: 3 }, limits, 10)?.code, 'MAX_ALIASES_EXCEEDED')
    assert.equal(checkLimits({ ...measures, rootFields: 3 }, limits, 10)?.code, 'MAX_ROOT_FIELDS_EXCEEDED')
    assert.equal(checkLimits({ ...measures, directives: 2 }, limits, 10)?.code, 'MAX_DIRECTIVES_EXCEEDED')
    assert.equal(checkLimits({ ...measures, cost: 11 }, limits, 10)?.actual, 11)
    assert.equal(checkLimits({ ...measures, cost: Infinity }, limits, 10)?.actual, Number.MAX_SAFE_INTEGER)
  })

  it('admits an operation within every limit', () => {
    assert.equal(checkLimits(measures, limits, 10), null)
  })
})
