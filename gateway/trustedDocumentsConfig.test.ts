import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig } from '../platform/config.ts'

describe('trusted documents configuration', () => {
  const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'j'.repeat(32), VIEWER_SIGNING_SECRET: 'v'.repeat(32) }

  it('enforces in production and logs otherwise, by default', () => {
    assert.equal(loadConfig(production).trustedDocuments, 'enforce')
    assert.equal(loadConfig({}).trustedDocuments, 'log')
    assert.equal(loadConfig({ NODE_ENV: 'test' }).trustedDocuments, 'log')
  })

  it('takes the mode, the staff exception and the manifest folder from the environment', () => {
    const config = loadConfig({ ...production, TRUSTED_DOCUMENTS: 'off', TRUSTED_DOCUMENTS_ALLOW_STAFF: 'true', TRUSTED_DOCUMENTS_DIR: '/srv/manifests' })
    assert.deepEqual([config.trustedDocuments, config.trustedDocumentsAllowStaff, config.trustedDocumentsDir], ['off', true, '/srv/manifests'])
    assert.equal(loadConfig({}).trustedDocumentsAllowStaff, false)
    assert.equal(loadConfig({}).trustedDocumentsDir, 'operations')
  })

  it('refuses an unknown mode', () => {
    assert.throws(() => loadConfig({ TRUSTED_DOCUMENTS: 'strict', TRUSTED_DOCUMENTS_ALLOW_STAFF: 'maybe' }), /TRUSTED_DOCUMENTS must be one of off, log, enforce, got 'strict'[\s\S]*TRUSTED_DOCUMENTS_ALLOW_STAFF must be on or off/)
  })
})
