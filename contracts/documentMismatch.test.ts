import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse, print } from 'graphql'
import { manifestBodyOf } from './clientDocument.ts'
import { describeDocumentMismatch } from './documentMismatch.ts'
import type { PersistedQueryManifest } from './manifest.ts'

const LISTING = `query ProductListing($first: Int = 24) {
  products(first: $first) { nodes { ...ProductCard } pageInfo { hasNextPage } }
}
fragment ProductCard on Product { id title priceRange(currency: USD) { min { minorUnits } } }`
const body = manifestBodyOf(parse(LISTING))

describe('describeDocumentMismatch', () => {
  it('names the first selection set without the __typename Apollo Client adds (the document as written, not as sent)', () => {
    assert.equal(
      describeDocumentMismatch(body, print(parse(LISTING))),
      'At query ProductListing > products: the manifest body selects __typename, the document sent does not ' +
        '(manifest bodies carry __typename in every selection set but the root, as Apollo Client sends them: send the manifest body or the generated typed document).',
    )
  })

  it('names __typename sent where a manifest built without it has none', () => {
    assert.match(describeDocumentMismatch(print(parse(LISTING)), body), /^At query ProductListing > products: the document sent selects __typename, the manifest body does not/)
  })

  it('follows fragments and nested fields to the first difference', () => {
    const sent = body.replace('minorUnits', 'currency')
    assert.equal(describeDocumentMismatch(body, sent), 'At fragment ProductCard > priceRange > min: the manifest body selects `minorUnits`, the document sent has `currency` there instead.')
    assert.equal(
      describeDocumentMismatch(body, body.replace('  title\n', '')),
      'At fragment ProductCard: the document sent lacks `title`, which the manifest body selects.',
    )
    assert.equal(describeDocumentMismatch(body, body.replace('hasNextPage', 'hasNextPage\n      endCursor')), 'At query ProductListing > products > pageInfo: the document sent also selects `endCursor`, which the manifest body does not.')
  })

  it('names a field argument or a variable that differs', () => {
    assert.match(describeDocumentMismatch(body, body.replace('currency: USD', 'currency: EUR')), /^At fragment ProductCard: the manifest body selects `priceRange\(currency: USD\)`, the document sent has `priceRange\(currency: EUR\)`/)
    assert.equal(
      describeDocumentMismatch(body, body.replace('Int = 24', 'Int = 25')),
      'query ProductListing: the manifest has `query ProductListing($first: Int = 24)`, the document sent `query ProductListing($first: Int = 25)`.',
    )
  })

  it('names another operation, a missing or an extra fragment', () => {
    assert.equal(describeDocumentMismatch(body, body.replace('query ProductListing', 'query Listing')), 'The id names query ProductListing, but the document sent is query Listing.')
    assert.equal(describeDocumentMismatch(body, body.replace('fragment ProductCard', 'fragment Card').replace('...ProductCard', '...Card')), 'At query ProductListing > products > nodes: the manifest body selects `...ProductCard`, the document sent has `...Card` there instead.')
    const withoutFragment = 'query ProductListing($first: Int = 24) {\n  products(first: $first) {\n    nodes {\n      ...ProductCard\n      __typename\n    }\n    pageInfo {\n      hasNextPage\n      __typename\n    }\n    __typename\n  }\n}'
    assert.equal(describeDocumentMismatch(body, withoutFragment), 'The document sent lacks fragment ProductCard, which the manifest body has.')
    assert.equal(describeDocumentMismatch(body, `${body}\n\nfragment Extra on Product {\n  id\n}`), 'The document sent has fragment Extra, which the manifest body does not.')
  })

  it('tells formatting, definition order and selection order apart from a different document', () => {
    assert.equal(
      describeDocumentMismatch(body, body.replace('  id\n  title\n', '  title\n  id\n')),
      'At fragment ProductCard: the same selections in another order (`title` where the manifest body has `id`).',
    )
    assert.match(describeDocumentMismatch(body, body.replace(/\n\s*/g, ' ')), /^Same operation, formatted otherwise: the id is the sha256 of the exact text/)
    const [operation, fragment] = body.split('\n\n')
    assert.equal(describeDocumentMismatch(body, `${fragment}\n\n${operation}`), 'Same definitions in another order: the manifest prints the operation first, then its fragments by name.')
    assert.equal(describeDocumentMismatch(body, body), 'The document sent is the manifest body.')
  })

  it('says when the document sent does not parse, and never throws', () => {
    assert.equal(describeDocumentMismatch(body, 'query {'), 'The document sent does not parse: Syntax Error: Expected Name, found <EOF>.')
    assert.equal(describeDocumentMismatch('not graphql', body), 'The manifest body does not parse.')
    for (const sent of ['', '{', 'query A { a } query A { b }', '{ a(x: $y) { ... on T { b } } }', '"""x"""']) assert.equal(typeof describeDocumentMismatch(body, sent), 'string')
  })

  it('parses the text sent only up to a token budget', () => {
    const huge = `query ProductListing { ${'a '.repeat(50_000)} }`
    assert.match(describeDocumentMismatch(body, huge), /^The document sent does not parse: Syntax Error: Document contains more tha[nt] 2000 tokens/)
    assert.match(describeDocumentMismatch(body, `${'{ a '.repeat(100_000)}${'} '.repeat(100_000)}`, { maxTokens: 500 }), /more tha[nt] 500 tokens/)
  })

  it('explains the partner StockChanges text the README showed before the manifests carried __typename', () => {
    const manifest = JSON.parse(readFileSync('operations/partner/manifest.json', 'utf8')) as PersistedQueryManifest
    const stockChanges = manifest.operations.find((o) => o.name === 'StockChanges')!
    const withoutTypenames = stockChanges.body.replace(/\n\s*__typename/g, '')
    assert.match(describeDocumentMismatch(stockChanges.body, withoutTypenames), /^At subscription StockChanges > stockLevelChanged: the manifest body selects __typename/)
  })
})
