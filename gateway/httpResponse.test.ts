import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, negotiate, statusFor, type Outcome } from './httpResponse.ts'

describe('negotiate', () => {
  it('answers application/json without an Accept header, or for */*, as legacy clients expect', () => {
    for (const accept of [undefined, '', '*/*', 'application/*', 'application/json', 'application/json, */*;q=0.1']) assert.equal(negotiate(accept), APPLICATION_JSON, accept)
  })

  it('answers application/graphql-response+json to the Accept headers of Apollo Client 4 and urql', () => {
    for (const accept of [
      'application/graphql-response+json,application/json;q=0.9',
      'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
      'application/graphql-response+json',
      'application/json;q=0.5, application/graphql-response+json',
      'APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8',
    ]) {
      assert.equal(negotiate(accept), GRAPHQL_RESPONSE_JSON, accept)
    }
  })

  it('ranks by quality, then by how specific the matching range is, then by order', () => {
    assert.equal(negotiate('application/graphql-response+json;q=0.4, application/json;q=0.8'), APPLICATION_JSON)
    // the exact range decides an offer's quality, even when a wildcard ranks it higher
    assert.equal(negotiate('*/*, application/json;q=0.2'), GRAPHQL_RESPONSE_JSON)
    assert.equal(negotiate('application/json, application/graphql-response+json'), APPLICATION_JSON)
  })

  it('accepts neither type when the header names neither, or refuses both with q=0', () => {
    for (const accept of ['text/html', 'text/csv, image/*', 'application/json;q=0, application/graphql-response+json;q=0', '*/*;q=0', 'nonsense']) {
      assert.equal(negotiate(accept), null, accept)
    }
  })
})

describe('statusFor', () => {
  const requestError = (code: string, status?: number): Outcome => ({ hasData: false, code, status })
  const both = (outcome: Outcome) => [statusFor(GRAPHQL_RESPONSE_JSON, outcome), statusFor(APPLICATION_JSON, outcome)]

  it('answers 200 whenever the response has data, even null data with errors', () => {
    assert.deepEqual(both({ hasData: true, code: undefined, status: undefined }), [200, 200])
    assert.deepEqual(both({ hasData: true, code: 'SUBGRAPH_UNAVAILABLE', status: undefined }), [200, 200])
  })

  it('answers request errors 4xx in the new type and 200 in JSON', () => {
    for (const code of ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'MAX_DEPTH_EXCEEDED', 'COST_LIMIT_EXCEEDED', 'PERSISTED_QUERY_REQUIRED', 'PERSISTED_QUERY_HASH_MISMATCH']) {
      assert.deepEqual(both(requestError(code, 400)), [400, 200], code)
    }
    // Apollo's persisted query errors ask for 200; without data the new type needs a 4xx
    assert.deepEqual(both(requestError('PERSISTED_QUERY_NOT_FOUND', 200)), [400, 200])
    assert.deepEqual(both(requestError('UNAUTHENTICATED', 200)), [401, 200])
    assert.deepEqual(both(requestError('FORBIDDEN', 200)), [403, 200])
  })

  it('keeps refusals about HTTP itself and server failures under both types', () => {
    assert.deepEqual(both(requestError('UNAUTHENTICATED', 401)), [401, 401])
    assert.deepEqual(both(requestError('RATE_LIMITED', 429)), [429, 429])
    assert.deepEqual(both(requestError('BAD_REQUEST', 405)), [405, 405])
    assert.deepEqual(both(requestError('BAD_REQUEST', 406)), [406, 406])
    assert.deepEqual(both(requestError('INTERNAL_SERVER_ERROR', 500)), [500, 500])
  })

  it('answers a malformed request (BAD_REQUEST) 400 under both types', () => {
    assert.deepEqual(both(requestError('BAD_REQUEST', 400)), [400, 400])
    assert.deepEqual(both(requestError('BAD_REQUEST')), [400, 400])
  })
})
