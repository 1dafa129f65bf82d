import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sha256Hex, type TrustedOperation } from '../contracts/manifest.ts'
import { decide, documentRequestOf, type DocumentRequest, type Policy } from './trustedDocumentsRequest.ts'

const queryBody = 'query Hello {\n  __typename\n}'
const mutationBody = 'mutation Bye {\n  __typename\n}'
const known: TrustedOperation[] = [
  { id: sha256Hex(queryBody), name: 'Hello', type: 'query', body: queryBody, client: 'web' },
  { id: sha256Hex(mutationBody), name: 'Bye', type: 'mutation', body: mutationBody, client: 'web' },
]
const lookup = (id: string) => known.find((op) => op.id === id)
const unknownId = sha256Hex('query Unknown { __typename }')
const enforce: Policy = { mode: 'enforce', freeFormAllowed: false }
const log: Policy = { mode: 'log', freeFormAllowed: false }

const request = (method: 'GET' | 'POST', params: Record<string, unknown>): DocumentRequest => {
  const parsed = documentRequestOf(method, params)
  assert.equal(parsed.kind, 'request', JSON.stringify(parsed))
  return parsed as DocumentRequest
}
const codeOf = (method: 'GET' | 'POST', params: Record<string, unknown>, policy = enforce) => {
  const decision = decide(request(method, params), lookup, policy)
  return decision.kind === 'refuse' ? `${decision.status} ${decision.code}` : decision.kind
}

describe('documentRequestOf', () => {
  it('reads the id from extensions.persistedQuery, and from documentId with or without its sha256: prefix', () => {
    assert.equal(request('POST', { extensions: { persistedQuery: { version: 1, sha256Hash: known[0]!.id } } }).id, known[0]!.id)
    assert.equal(request('POST', { documentId: `sha256:${known[0]!.id}` }).id, known[0]!.id)
    assert.equal(request('GET', { documentId: known[0]!.id }).id, known[0]!.id)
    assert.equal(request('GET', { extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: known[0]!.id } }) }).id, known[0]!.id)
  })

  it('refuses malformed ids and extensions with BAD_REQUEST', () => {
    for (const params of [
      { documentId: 'abc' },
      { documentId: `md5:${known[0]!.id}` },
      { documentId: 42 },
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'ABC' } } },
      { extensions: { persistedQuery: { version: 2, sha256Hash: known[0]!.id } } },
      { extensions: { persistedQuery: 'x' } },
      { extensions: [] },
      { query: 5 },
      { documentId: known[0]!.id, extensions: { persistedQuery: { version: 1, sha256Hash: known[1]!.id } } },
    ]) {
      const parsed = documentRequestOf('POST', params)
      assert.equal(parsed.kind === 'refuse' && `${parsed.status} ${parsed.code}`, '400 BAD_REQUEST', JSON.stringify(params))
    }
    const get = documentRequestOf('GET', { extensions: '{not json' })
    assert.equal(get.kind === 'refuse' && get.code, 'BAD_REQUEST')
  })

  it('refuses malformed variables and operationName with BAD_REQUEST, before any decision on the document', () => {
    for (const [method, params] of [
      ['POST', { query: '{ __typename }', variables: 'string' }],
      ['POST', { query: '{ __typename }', variables: [1] }],
      ['POST', { query: '{ __typename }', variables: 0 }],
      ['POST', { query: '{ __typename }', operationName: { name: 'x' } }],
      ['POST', { query: '{ __typename }', operationName: false }],
      ['GET', { query: '{ __typename }', variables: '{not json' }],
      ['GET', { query: '{ __typename }', variables: '[1]' }],
    ] as const) {
      const parsed = documentRequestOf(method, params)
      assert.equal(parsed.kind === 'refuse' && `${parsed.status} ${parsed.code}`, '400 BAD_REQUEST', JSON.stringify(params))
    }
  })

  it('takes null parameters (POST) and empty ones (GET) as absent, as GraphQL over HTTP says', () => {
    const nulls = { variables: null, operationName: null, extensions: null }
    assert.deepEqual(request('POST', { query: '{ __typename }', ...nulls }), { kind: 'request', method: 'POST', query: '{ __typename }', id: undefined, viaPersistedQuery: false })
    assert.equal(request('POST', { documentId: known[0]!.id, query: null, ...nulls }).id, known[0]!.id)
    assert.equal(request('POST', { query: queryBody, documentId: null }).id, undefined)
    assert.equal(request('GET', { documentId: known[0]!.id, query: '', operationName: '', variables: '', extensions: '' }).id, known[0]!.id)
    assert.equal(request('GET', { query: '{ __typename }', variables: 'null', extensions: 'null' }).query, '{ __typename }')
  })
})

describe('decide', () => {
  it('runs a manifest operation named by id, over POST and GET', () => {
    const decision = decide(request('POST', { documentId: known[0]!.id }), lookup, enforce)
    assert.deepEqual(decision, { kind: 'run', operation: known[0] })
    assert.equal(codeOf('GET', { documentId: known[0]!.id }), 'run')
    assert.equal(codeOf('POST', { documentId: known[1]!.id }), 'run')
  })

  it('refuses a persisted mutation over GET with 405 and Allow: POST', () => {
    const decision = decide(request('GET', { documentId: known[1]!.id }), lookup, enforce)
    assert.equal(decision.kind, 'refuse')
    assert.deepEqual(decision.kind === 'refuse' && [decision.status, decision.headers], [405, { allow: 'POST' }])
  })

  it('runs a free-form document whose text is a manifest body', () => {
    assert.equal(codeOf('POST', { query: queryBody }), 'run')
  })

  it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND in every mode', () => {
    assert.equal(codeOf('POST', { documentId: unknownId }), '200 PERSISTED_QUERY_NOT_FOUND')
    assert.equal(codeOf('POST', { extensions: { persistedQuery: { version: 1, sha256Hash: unknownId } } }), '200 PERSISTED_QUERY_NOT_FOUND')
    assert.equal(codeOf('POST', { documentId: unknownId }, log), '200 PERSISTED_QUERY_NOT_FOUND')
  })

  it("in log mode leaves an unknown APQ hash to Apollo's own APQ cache, counted as unknown", () => {
    const decision = decide(request('POST', { extensions: { persistedQuery: { version: 1, sha256Hash: unknownId } } }), lookup, log)
    assert.deepEqual(decision, { kind: 'pass', unknown: true })
  })

  it('refuses an id sent with a different body', () => {
    assert.equal(codeOf('POST', { documentId: known[0]!.id, query: mutationBody }), '400 PERSISTED_QUERY_HASH_MISMATCH')
    assert.equal(codeOf('POST', { documentId: unknownId, query: queryBody }, log), '400 PERSISTED_QUERY_HASH_MISMATCH')
  })

  it('says where the text sent differs from the body its id names', () => {
    const decision = decide(request('POST', { documentId: known[0]!.id, query: 'query Hello { id: __typename }' }), lookup, enforce)
    assert.equal(decision.kind, 'refuse')
    const message = (decision as { message: string }).message
    assert.match(message, /^The document sent is not the one its id names \(sha256 mismatch\): /)
    assert.match(message, /Hello/)
  })

  it('in enforce mode refuses free-form documents and APQ registration with PERSISTED_QUERY_REQUIRED', () => {
    assert.equal(codeOf('POST', { query: '{ __typename }' }), '400 PERSISTED_QUERY_REQUIRED')
    assert.equal(codeOf('GET', { query: '{ __typename }' }), '400 PERSISTED_QUERY_REQUIRED')
    const text = 'query Fresh { __typename }'
    assert.equal(codeOf('POST', { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(text) } } }), '400 PERSISTED_QUERY_REQUIRED')
  })

  it('in enforce mode lets free-form documents through when staff are allowed them', () => {
    assert.deepEqual(decide(request('POST', { query: '{ __typename }' }), lookup, { mode: 'enforce', freeFormAllowed: true }), { kind: 'pass', unknown: false })
  })

  it('in log mode runs free-form documents, marked unknown', () => {
    assert.deepEqual(decide(request('POST', { query: '{ __typename }' }), lookup, log), { kind: 'pass', unknown: true })
    const text = 'query Fresh { __typename }'
    assert.deepEqual(decide(request('POST', { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(text) } } }), lookup, log), { kind: 'pass', unknown: true })
  })

  it('leaves a request with neither id nor document to Apollo', () => {
    assert.deepEqual(decide(request('POST', {}), lookup, enforce), { kind: 'pass', unknown: false })
  })
})
