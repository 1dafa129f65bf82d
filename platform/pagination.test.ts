import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GraphQLError } from 'graphql'
import { encodeCursor, pageRequest, toConnection } from './pagination.ts'

const options = { kind: 'Thing', maxPageSize: 100 }
const badInput = (fn: () => unknown, argumentName: string) =>
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof GraphQLError)
    assert.equal(error.extensions['code'], 'BAD_USER_INPUT')
    assert.equal(error.extensions['argumentName'], argumentName)
    return true
  })

describe('pageRequest', () => {
  it('defaults to the first page of 20', () => {
    assert.deepEqual(pageRequest({}, options), { limit: 20, forward: true, after: null, before: null })
  })

  it('decodes cursors of its own connection', () => {
    const request = pageRequest({ first: 5, after: encodeCursor('Thing', ['b']) }, options)
    assert.deepEqual(request, { limit: 5, forward: true, after: ['b'], before: null })
    assert.equal(pageRequest({ last: 3, before: encodeCursor('Thing', ['b']) }, options).forward, false)
  })

  it('refuses page sizes over the maximum, negative sizes, and first with last', () => {
    badInput(() => pageRequest({ first: 101 }, options), 'first')
    badInput(() => pageRequest({ last: -1 }, options), 'last')
    badInput(() => pageRequest({ first: 1, last: 1 }, options), 'last')
  })

  it('refuses malformed cursors and cursors of another connection', () => {
    badInput(() => pageRequest({ after: 'garbage!' }, options), 'after')
    badInput(() => pageRequest({ after: encodeCursor('Other', ['b']) }, options), 'after')
    badInput(() => pageRequest({ before: encodeCursor('Thing', ['a', 'b']) }, options), 'before')
    badInput(() => pageRequest({ after: Buffer.from('{"a":1}').toString('base64url') }, options), 'after')
  })
})

describe('toConnection', () => {
  const rows = ['a', 'b', 'c']
  it('reports a next page when a row beyond the limit was fetched', () => {
    const connection = toConnection(rows, { limit: 2, forward: true, after: null, before: null }, 'Thing', (r) => [r])
    assert.deepEqual(connection.nodes, ['a', 'b'])
    assert.equal(connection.pageInfo.hasNextPage, true)
    assert.equal(connection.pageInfo.hasPreviousPage, false)
    assert.equal(connection.pageInfo.endCursor, encodeCursor('Thing', ['b']))
  })

  it('puts backward pages back in ascending order', () => {
    const connection = toConnection(['c', 'b', 'a'], { limit: 2, forward: false, after: null, before: ['d'] }, 'Thing', (r) => [r])
    assert.deepEqual(connection.nodes, ['b', 'c'])
    assert.equal(connection.pageInfo.hasPreviousPage, true)
    assert.equal(connection.pageInfo.hasNextPage, true)
  })

  it('gives null cursors for an empty page', () => {
    const connection = toConnection([], { limit: 2, forward: true, after: null, before: null }, 'Thing', (r: string) => [r])
    assert.equal(connection.pageInfo.startCursor, null)
    assert.equal(connection.pageInfo.endCursor, null)
  })
})
