import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { prefersHtml } from './graphiql.ts'

describe('which GET of /graphql is a person in a browser', () => {
  it('is one whose Accept prefers HTML, as a browser navigation sends it', () => {
    assert.equal(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'), true)
    assert.equal(prefersHtml('text/html'), true)
  })

  it('is never a client asking for JSON, for anything, or for nothing', () => {
    for (const accept of [undefined, '', '*/*', 'application/json', 'application/graphql-response+json, application/json;q=0.9', 'text/html;q=0.5, application/json', 'text/html, */*', 'text/html;q=0']) {
      assert.equal(prefersHtml(accept), false, String(accept))
    }
  })
})
