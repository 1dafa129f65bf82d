import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Database } from './db.ts'
import { canonicalJson, requestHash, runIdempotent, runIdempotentSteps } from './idempotency.ts'
import { testDatabaseFor } from './testHooks.ts'
import { openSchemaTestDatabase } from './testing.ts'

describe('runIdempotent', () => {
  const db = testDatabaseFor(() => openSchemaTestDatabase(['idem_test']), {
    setup: (db) => db.exec('create table idem_test.effects (id serial primary key, note text not null)'),
  })

  const request = (key: string, input: unknown, scope = 'c_1') => ({ schema: 'idem_test', scope, key, operation: 'noteAdd', input })
  const effects = async () => Number((await db.query<{ n: string }>('select count(*) as n from idem_test.effects')).rows[0]?.n)
  const addNote = (note: string) => async (tx: Pick<Database, 'query'>) => {
    const { rows } = await tx.query<{ id: number }>('insert into idem_test.effects (note) values ($1) returning id', [note])
    return { result: { id: rows[0]?.id }, store: true }
  }

  it('runs the body once and replays the stored result for the same key and input', async () => {
    const before = await effects()
    const first = await runIdempotent(db, request('k1', { note: 'a', n: 1 }), addNote('a'))
    const second = await runIdempotent(db, request('k1', { n: 1, note: 'a' }), addNote('a'))
    assert.equal(first.kind, 'executed')
    assert.equal(second.kind, 'replayed')
    assert.deepEqual(second.kind === 'replayed' && second.result, first.kind === 'executed' && first.result)
    assert.equal(await effects(), before + 1)
  })

  it('refuses the same key with another input', async () => {
    await runIdempotent(db, request('k2', { note: 'a' }), addNote('a'))
    const reused = await runIdempotent(db, request('k2', { note: 'b' }), addNote('b'))
    assert.equal(reused.kind, 'reused')
  })

  it('scopes keys to the viewer', async () => {
    await runIdempotent(db, request('k3', { note: 'a' }, 'c_1'), addNote('a'))
    const other = await runIdempotent(db, request('k3', { note: 'a' }, 'c_2'), addNote('a'))
    assert.equal(other.kind, 'executed')
  })

  it('answers inFlight while another request holds the key, and lets the lease of a dead holder expire', async () => {
    // a request that claimed the key and has not committed yet (PGlite serializes transactions,
    // so the claim is written as the first request would have left it)
    const claim = (lease: string) =>
      db.query(
        `insert into idem_test.idempotency_keys (scope, key, operation, request_hash, state, locked_until)
         values ('c_1', $1, 'noteAdd', $2, 'in_flight', now() + $3::interval)`,
        [`k4${lease}`, requestHash('noteAdd', { note: 'slow' }), lease],
      )
    await claim('60 seconds')
    assert.deepEqual(await runIdempotent(db, request('k460 seconds', { note: 'slow' }), addNote('slow')), { kind: 'inFlight' })
    await claim('-1 seconds')
    const reclaimed = await runIdempotent(db, request('k4-1 seconds', { note: 'slow' }), addNote('slow'))
    assert.equal(reclaimed.kind, 'executed')
  })

  it('rolls back and frees the key when the body returns userErrors', async () => {
    const before = await effects()
    const failed = await runIdempotent(db, request('k5', { note: 'x' }), async (tx) => {
      await addNote('x')(tx)
      return { result: { userErrors: ['nope'] }, store: false }
    })
    assert.deepEqual(failed, { kind: 'executed', result: { userErrors: ['nope'] } })
    assert.equal(await effects(), before)
    const retried = await runIdempotent(db, request('k5', { note: 'x' }), addNote('x'))
    assert.equal(retried.kind, 'executed')
  })

  it('frees the key when the body throws', async () => {
    await assert.rejects(runIdempotent(db, request('k6', {}), async () => Promise.reject(new Error('boom'))))
    const retried = await runIdempotent(db, request('k6', {}), addNote('y'))
    assert.equal(retried.kind, 'executed')
  })

  it('hashes inputs canonically', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: null, c: 2 }] }), '{"a":[{"c":2,"d":null}],"b":1}')
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}')
    assert.notEqual(canonicalJson({ at: new Date('2026-01-01T00:00:00Z') }), canonicalJson({ at: new Date('2027-01-01T00:00:00Z') }))
  })
})

describe('runIdempotentSteps', () => {
  const db = testDatabaseFor(() => openSchemaTestDatabase(['steps_test']), {
    setup: (db) => db.exec('create table steps_test.effects (id serial primary key, note text not null unique)'),
  })
  const request = (key: string, input: unknown) => ({ schema: 'steps_test', scope: 'c_1', key, operation: 'op', input })

  it('runs the outside step before the transaction and passes its result in', async () => {
    const outcome = await runIdempotentSteps(db, request('s1', {}), {
      outside: async () => 'reserved-1',
      inside: async (tx, reserved) => {
        await tx.query('insert into steps_test.effects (note) values ($1)', [reserved])
        return { result: { reserved }, store: true }
      },
    })
    assert.deepEqual(outcome, { kind: 'executed', result: { reserved: 'reserved-1' } })
  })

  it('renews its claim while a slow outside step runs, so no retry takes the key over from a live request', async () => {
    const leaseLeft = async () =>
      Number((await db.query<{ s: string }>(`select extract(epoch from locked_until - now())::text as s from steps_test.idempotency_keys where key = 'slow'`)).rows[0]?.s)
    let during = 0
    const outcome = await runIdempotentSteps(db, request('slow', {}), {
      outside: async () => {
        // past the first renewal (a third of the 10 s lease): the lease is back near its full length
        await new Promise((resolve) => setTimeout(resolve, 4200))
        during = await leaseLeft()
        return 'slow'
      },
      inside: async () => ({ result: 'done', store: true }),
    })
    assert.deepEqual(outcome, { kind: 'executed', result: 'done' })
    assert.ok(during > 8, `${during} s of lease left after 4.2 s`)
  })

  it('compensates the outside step when the transaction fails, and frees the key', async () => {
    const compensated: string[] = []
    const steps = {
      outside: async () => 'dup',
      inside: async (tx: Pick<Database, 'query'>) => {
        await tx.query(`insert into steps_test.effects (note) values ('dup')`)
        await tx.query(`insert into steps_test.effects (note) values ('dup')`) // unique violation
        return { result: {}, store: true }
      },
      compensate: async (what: string) => {
        compensated.push(what)
      },
    }
    await assert.rejects(runIdempotentSteps(db, request('s2', {}), steps), /duplicate|unique/)
    assert.deepEqual(compensated, ['dup'])
    const { rows } = await db.query(`select 1 from steps_test.idempotency_keys where key = 's2'`)
    assert.equal(rows.length, 0)
  })

  it('compensates when the transaction answers with userErrors', async () => {
    const compensated: string[] = []
    const outcome = await runIdempotentSteps(db, request('s3', {}), {
      outside: async () => 'r3',
      inside: async () => ({ result: { userErrors: ['CART_EXPIRED'] }, store: false }),
      compensate: async (what) => {
        compensated.push(what)
      },
    })
    assert.deepEqual(outcome, { kind: 'executed', result: { userErrors: ['CART_EXPIRED'] } })
    assert.deepEqual(compensated, ['r3'])
  })
})
