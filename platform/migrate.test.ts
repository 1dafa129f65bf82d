import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { migrate, readMigrations } from './migrate.ts'
import { openTestDatabase, type TestDatabase } from './testing.ts'

describe('migrate', () => {
  let test: TestDatabase
  before(async () => {
    test = await openTestDatabase([])
  })
  after(() => test.close())

  it('applies each numbered file once, in order, in the subgraph schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
    writeFileSync(join(dir, '0001_things.sql'), 'create table things (id int primary key);')
    writeFileSync(join(dir, '0002_more.sql'), 'alter table things add column name text;')
    const first = await migrate(test.db, 'mig_test', dir)
    assert.deepEqual(first, ['platform/0001_idempotency.sql', 'platform/0002_outbox.sql', 'platform/0003_outbox_log.sql', '0001_things.sql', '0002_more.sql'])
    assert.deepEqual(await migrate(test.db, 'mig_test', dir), [])
    await test.db.query(`insert into mig_test.things (id, name) values (1, 'a')`)
  })

  it('rolls a failing migration back whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
    writeFileSync(join(dir, '0001_broken.sql'), 'create table half (id int); select * from no_such_table;')
    await assert.rejects(migrate(test.db, 'mig_broken', dir), /no_such_table/)
    const { rows } = await test.db.query(`select 1 from information_schema.tables where table_schema = 'mig_broken' and table_name = 'half'`)
    assert.equal(rows.length, 0)
  })

  it('refuses badly named files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
    writeFileSync(join(dir, 'init.sql'), '')
    assert.throws(() => readMigrations(dir), /0001_name\.sql/)
  })
})
