import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import { SUBGRAPHS } from '../subgraphs/registry.ts'
import { DEAD_LETTERS_PATH, serveDeadLetterAdmin, type DeadLetterList, type DeadLetterReplay } from './deadLetterAdmin.ts'
import { authenticateSignedRequests } from './signedRequests.ts'
import { openTestDatabase, partner, signedHeaders, staff, testConfig, type TestDatabase } from './testing.ts'
import type { Viewer } from './viewer.ts'

describe("a subgraph's dead-letter endpoint", () => {
  let test: TestDatabase
  let app: FastifyInstance
  const ids: string[] = []

  const call = (command: unknown, who: Viewer | null = staff(), tamper?: (body: string) => string) => {
    const payload = JSON.stringify(command)
    return app.inject({
      method: 'POST',
      url: DEAD_LETTERS_PATH,
      headers: { 'content-type': 'application/json', ...(who ? signedHeaders(who, testConfig, payload) : {}) },
      payload: tamper ? tamper(payload) : payload,
    })
  }

  before(async () => {
    test = await openTestDatabase(SUBGRAPHS)
    app = Fastify()
    // as in every subgraph: the JSON parser keeps the bytes the viewer signature covers
    authenticateSignedRequests(app, { path: '/graphql', config: testConfig })
    serveDeadLetterAdmin(app, { schema: 'inventory', db: test.db, config: testConfig })
    for (const [n, error] of [[1, 'relation missing'], [2, 'payload rejected']] as const) {
      const event = {
        id: randomUUID(), type: 'ConsoleProbe', source: 'orders', aggregateType: 'order', aggregateId: `ord_dl${n}`, sequence: 1,
        occurredAt: new Date(Date.UTC(2030, 0, n)).toISOString(), traceContext: {}, payload: { n },
      }
      const { rows } = await test.db.query<{ id: string }>(
        `insert into inventory.dead_letters (consumer, event_id, event, error, attempts, failed_at) values ($1, $2, $3::jsonb, $4, 5, $5) returning id::text`,
        ['inventory.order-events', event.id, JSON.stringify(event), error, event.occurredAt],
      )
      ids.push(rows[0]!.id)
    }
  })
  after(async () => {
    await app.close()
    await test.close()
  })

  it('lists the newest dead letters first for a staff viewer signed by the gateway', async () => {
    const response = await call({ action: 'list', limit: 10 })
    assert.equal(response.statusCode, 200)
    const list = response.json() as DeadLetterList
    const ours = list.deadLetters.filter((letter) => ids.includes(letter.id))
    assert.deepEqual(ours.map((letter) => [letter.id, letter.error, letter.eventType, letter.aggregate, letter.attempts]), [
      [ids[1], 'payload rejected', 'ConsoleProbe', 'order/ord_dl2', 5],
      [ids[0], 'relation missing', 'ConsoleProbe', 'order/ord_dl1', 5],
    ])
    assert.ok(list.unreplayed >= 2)
  })

  it('refuses an unsigned call (401), a non-staff viewer (403), and a body other than the one signed (401)', async () => {
    assert.equal((await call({ action: 'list' }, null)).statusCode, 401)
    const partnerCall = await call({ action: 'list' }, partner())
    assert.equal(partnerCall.statusCode, 403)
    assert.equal(partnerCall.json().errors[0].extensions.code, 'FORBIDDEN')
    const swapped = await call({ action: 'list' }, staff(), () => JSON.stringify({ action: 'replay', id: ids[0] }))
    assert.equal(swapped.statusCode, 401)
    assert.equal(swapped.json().errors[0].extensions.code, 'UNAUTHENTICATED')
  })

  it('refuses a command it does not know (400), an id that is not a number included', async () => {
    for (const command of [{ action: 'drop' }, { action: 'replay', id: '1; drop table x' }, { action: 'list', limit: -1 }, [1]]) {
      const response = await call(command)
      assert.equal(response.statusCode, 400, JSON.stringify(command))
      assert.equal(response.json().errors[0].extensions.code, 'BAD_REQUEST')
    }
  })

  it('replays a letter once: its event goes back to the outbox with the same id, and a second replay says it was done', async () => {
    const first = await call({ action: 'replay', id: ids[0] })
    assert.equal(first.statusCode, 200)
    const replay = first.json() as DeadLetterReplay
    assert.equal(replay.outcome, 'replayed')
    assert.ok(replay.deadLetter?.replayedAt)
    const outbox = await test.db.query<{ n: number }>(`select count(*)::int as n from inventory.outbox where id = $1`, [replay.deadLetter?.eventId])
    assert.equal(outbox.rows[0]?.n, 1)

    const again = (await call({ action: 'replay', id: ids[0] })).json() as DeadLetterReplay
    assert.equal(again.outcome, 'already_replayed')
    const still = await test.db.query<{ n: number }>(`select count(*)::int as n from inventory.outbox where id = $1`, [replay.deadLetter?.eventId])
    assert.equal(still.rows[0]?.n, 1)
    assert.equal(((await call({ action: 'replay', id: '999999999' })).json() as DeadLetterReplay).outcome, 'not_found')
  })
})
