// A PostgreSQL connection cut (pg_terminate_backend, a server restart) while a transaction holds
// it: the transaction fails, the process lives on, and the pool hands out a working connection
// next. A checked-out client has no listener from the pool: without one of the transaction's own,
// attached as the pool hands the client over, the cut is an unhandled 'error' event that ends the
// service.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import type { Database } from '../../platform/db.ts'
import { openPgDatabase } from '../../platform/pgDriver.ts'

const url = process.env['DATABASE_URL']
/** This file's connections, the only ones it terminates (others share the server). */
const APPLICATION = `chaos_cut_${process.pid}`
const skip = url ? false : 'needs PostgreSQL (DATABASE_URL): runs in npm run test:pg'

/** A FATAL ErrorMessage (57P01), as the server sends when pg_terminate_backend ends a session. */
function terminationMessage(): Buffer {
  const fields = Buffer.concat([
    ...[['S', 'FATAL'], ['V', 'FATAL'], ['C', '57P01'], ['M', 'terminating connection due to administrator command']].map(([type, value]) =>
      Buffer.concat([Buffer.from(type as string), Buffer.from(`${value}\0`)]),
    ),
    Buffer.from([0]),
  ])
  const header = Buffer.alloc(5)
  header.write('E', 0)
  header.writeInt32BE(fields.length + 4, 1)
  return Buffer.concat([header, fields])
}

/**
 * A TCP proxy to the server that, while `cutNext` holds, ends the next new session right after
 * its start-up: the server's ReadyForQuery and a termination in the same packet, as when a
 * session is terminated the moment it is ready.
 */
async function startCuttingProxy(target: URL): Promise<{ port: number; cutNext: boolean; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const state = { port: 0, cutNext: false, close: async () => {} }
  const server: Server = createServer((client) => {
    const cut = state.cutNext
    state.cutNext = false
    const upstream = connect(Number(target.port || 5432), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => sockets.delete(socket))
    }
    client.pipe(upstream)
    let pending = Buffer.alloc(0)
    let done = !cut
    upstream.on('data', (chunk: Buffer) => {
      if (done) return void client.write(chunk)
      pending = Buffer.concat([pending, chunk])
      // walk the server's messages (type byte, int32 length) up to the first ReadyForQuery
      for (let at = 0; at + 5 <= pending.length; ) {
        const end = at + 1 + pending.readInt32BE(at + 1)
        if (end > pending.length) break
        if (pending[at] === 0x5a) {
          done = true
          client.end(Buffer.concat([pending.subarray(0, end), terminationMessage()]))
          upstream.destroy()
          return
        }
        at = end
      }
    })
    upstream.on('end', () => client.end())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  state.port = (server.address() as { port: number }).port
  state.close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return state
}

describe('a transaction whose connection is cut', { skip }, () => {
  let db: Database
  let admin: pg.Client
  let proxy: Awaited<ReturnType<typeof startCuttingProxy>>
  before(async () => {
    proxy = await startCuttingProxy(new URL(url as string))
    const viaProxy = new URL(url as string)
    viaProxy.host = `127.0.0.1:${proxy.port}`
    viaProxy.searchParams.set('application_name', APPLICATION)
    db = await openPgDatabase(viaProxy.toString(), 2)
    admin = new pg.Client({ connectionString: url })
    await admin.connect()
  })
  after(async () => {
    await admin.end()
    await db.close()
    await proxy.close()
  })

  it('fails between two statements without ending the process, and the next statement gets a live connection', async () => {
    const transaction = db.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('select pg_backend_pid() as pid')
      await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid])
      // the server's FATAL message arrives while no statement is running on the connection
      await new Promise((resolve) => setTimeout(resolve, 200))
      await tx.query('select 1')
    })
    await assert.rejects(transaction)
    const { rows } = await db.query<{ one: number }>('select 1 as one')
    assert.deepEqual(rows, [{ one: 1 }])
  })

  it('fails when the connection is cut the moment it is handed over, without ending the process', async () => {
    // no idle connection left: the transaction opens a new one, which the proxy cuts as it is ready
    proxy.cutNext = true
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [APPLICATION])
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(db.poolStats?.().total, 0, 'the pool holds no connection')
    await assert.rejects(db.transaction(async (tx) => tx.query('select 1')))
    const { rows } = await db.query<{ one: number }>('select 1 as one')
    assert.deepEqual(rows, [{ one: 1 }])
  })
})
