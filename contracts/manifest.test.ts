import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { loadManifests, ManifestError, parseManifest, sha256Hex } from './manifest.ts'

const body = 'query Hello {\n  __typename\n}'
const valid = { format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256Hex(body), name: 'Hello', type: 'query', body }] }

describe('parseManifest', () => {
  it('reads a manifest in Apollo format', () => {
    assert.deepEqual(parseManifest('m.json', JSON.stringify(valid)), valid)
  })

  it('names the file and says when it is not JSON', () => {
    assert.throws(() => parseManifest('operations/x/manifest.json', '{ nope'), (error: unknown) => {
      assert.ok(error instanceof ManifestError)
      assert.equal(error.file, 'operations/x/manifest.json')
      assert.match(error.message, /^operations\/x\/manifest\.json: invalid persisted query manifest:\n- not JSON/)
      return true
    })
  })

  it('reports every problem at once', () => {
    const bad = {
      format: 'something-else',
      version: 2,
      operations: [
        { id: 'abc', name: 'Short', type: 'query', body },
        { id: sha256Hex('other'), name: 'Wrong', type: 'query', body },
        { id: sha256Hex(body), name: 'Hello', type: 'fragment', body },
        { id: sha256Hex(body), name: '', type: 'query', body },
        { id: sha256Hex(body), name: 'Hello', type: 'query', body: '' },
      ],
    }
    assert.throws(() => parseManifest('m.json', JSON.stringify(bad)), (error: unknown) => {
      assert.ok(error instanceof ManifestError)
      assert.deepEqual(error.problems, [
        '"format" must be "apollo-persisted-query-manifest", got "something-else"',
        '"version" must be 1, got 2',
        'operations[0].id must be 64 lowercase hex characters',
        'operations[1].id is not the sha256 of its body (Wrong)',
        'operations[2].type must be query, mutation or subscription',
        'operations[3].name must be a non-empty string',
        'operations[4].body must be a non-empty string',
      ])
      return true
    })
  })

  it('refuses an id listed twice', () => {
    const twice = { ...valid, operations: [...valid.operations, ...valid.operations] }
    assert.throws(() => parseManifest('m.json', JSON.stringify(twice)), /operations\[1\]\.id [0-9a-f]{64} is listed twice/)
  })

  it('refuses a manifest that is not an object or has no operations array', () => {
    assert.throws(() => parseManifest('m.json', '[]'), /must be a JSON object/)
    assert.throws(() => parseManifest('m.json', JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1 })), /"operations" must be an array/)
  })
})

describe('loadManifests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('merges every client folder that has a manifest.json, remembering the client', () => {
    mkdirSync(join(dir, 'web'))
    mkdirSync(join(dir, 'partner'))
    mkdirSync(join(dir, 'empty'))
    writeFileSync(join(dir, 'web', 'manifest.json'), JSON.stringify(valid))
    const other = 'query Other {\n  __typename\n}'
    writeFileSync(join(dir, 'partner', 'manifest.json'), JSON.stringify({ ...valid, operations: [{ id: sha256Hex(other), name: 'Other', type: 'query', body: other }] }))
    const { operations, files } = loadManifests(dir)
    assert.deepEqual(files, [join(dir, 'partner', 'manifest.json'), join(dir, 'web', 'manifest.json')])
    assert.equal(operations.get(sha256Hex(body))?.client, 'web')
    assert.equal(operations.get(sha256Hex(other))?.name, 'Other')
  })

  it('loads nothing from a folder that does not exist', () => {
    assert.equal(loadManifests(join(dir, 'missing')).operations.size, 0)
  })

  it('names the malformed file', () => {
    writeFileSync(join(dir, 'web', 'manifest.json'), '{"format": ')
    assert.throws(() => loadManifests(dir), (error: unknown) => {
      assert.ok(error instanceof ManifestError)
      assert.equal(error.file, join(dir, 'web', 'manifest.json'))
      return true
    })
  })
})
