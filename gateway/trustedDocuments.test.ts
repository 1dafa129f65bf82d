import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { FastifyBaseLogger } from 'fastify'
import pino from 'pino'
import { eventually } from '../platform/testing.ts'
import { createTrustedDocuments } from './trustedDocuments.ts'
import { sha256Hex } from '../contracts/manifest.ts'

/** What the trusted documents logged, message by message: the watcher's observable signal. */
const logged: string[] = []
const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) }) as FastifyBaseLogger
const manifest = (...bodies: string[]) =>
  JSON.stringify({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: bodies.map((body, i) => ({ id: sha256Hex(body), name: `Op${i}`, type: 'query', body })),
  })
const options = (dir: string, mode: 'log' | 'enforce') => ({
  config: { trustedDocuments: mode, trustedDocumentsAllowStaff: false, trustedDocumentsDir: dir },
  logger,
  isStaff: async () => false,
  reloadIntervalMs: 20,
})

describe('createTrustedDocuments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-'))
  mkdirSync(join(dir, 'web'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('refuses to start in enforce mode when a manifest is malformed, naming the file', () => {
    writeFileSync(join(dir, 'web', 'manifest.json'), '{ "format": "apollo-persisted-query-manifest", ')
    assert.throws(() => createTrustedDocuments(options(dir, 'enforce')), (error: Error) => {
      assert.match(error.message, /TRUSTED_DOCUMENTS=enforce and the manifests do not load/)
      assert.ok(error.message.includes(join(dir, 'web', 'manifest.json')))
      return true
    })
  })

  it('starts in log mode with no operations when a manifest is malformed', () => {
    const trusted = createTrustedDocuments(options(dir, 'log'))
    assert.deepEqual(trusted.stats(), { mode: 'log', operations: 0, known: 0, unknown: 0, refused: 0 })
    trusted.close()
  })

  it('reloads when a manifest changes, and keeps the current operations when the change does not load', async () => {
    writeFileSync(join(dir, 'web', 'manifest.json'), manifest('query A { __typename }'))
    const trusted = createTrustedDocuments(options(dir, 'enforce'))
    try {
      assert.equal(trusted.stats().operations, 1)
      writeFileSync(join(dir, 'web', 'manifest.json'), manifest('query A { __typename }', 'query B { __typename }'))
      await waitFor(() => trusted.stats().operations === 2)
      const refusalsBefore = logged.filter((msg) => msg.startsWith('changed manifests do not load')).length
      writeFileSync(join(dir, 'web', 'manifest.json'), '{ broken')
      await waitFor(() => logged.filter((msg) => msg.startsWith('changed manifests do not load')).length > refusalsBefore)
      assert.equal(trusted.stats().operations, 2)
      mkdirSync(join(dir, 'partner'))
      writeFileSync(join(dir, 'partner', 'manifest.json'), manifest('query C { __typename }', 'query D { __typename }'))
      writeFileSync(join(dir, 'web', 'manifest.json'), manifest('query A { __typename }'))
      await waitFor(() => trusted.stats().operations === 3)
    } finally {
      trusted.close()
    }
  })
})

const waitFor = (condition: () => boolean) => eventually('the manifests to reload', condition, 2000)
