// npm run dlq -- list [--consumer NAME]        events consumers gave up on, newest first
// npm run dlq -- replay <schema:id> [...]       puts each back on the bus for its consumer
// npm run dlq -- replay --all [--consumer NAME] every dead letter not replayed yet
//
// Dead letters live in each consuming subgraph's `dead_letters` table (on NATS they are also
// published to `commerce.dlq.<consumer>`). Works on the embedded data directory (stop `npm start`
// first: PGlite allows one process) or on DATABASE_URL; the running services publish replays.
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../platform/config.ts'
import { openDatabase } from '../platform/openDatabase.ts'
import { listDeadLetters, replayDeadLetter } from '../platform/deadLetters.ts'

class UsageError extends Error {}
const usage = 'usage: npm run dlq -- list [--consumer NAME] | replay <schema:id>... | replay --all [--consumer NAME]'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { consumer: { type: 'string' }, all: { type: 'boolean', default: false } } })
const [command, ...ids] = positionals

try {
  if (command !== 'list' && command !== 'replay') throw new UsageError(usage)
  if (command === 'replay' && ids.length === 0 && !values.all) throw new UsageError(usage)
  const config = loadConfig()
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 })
  try {
    const letters = await listDeadLetters(db, values.consumer)
    if (command === 'list') {
      if (letters.length === 0) console.log('no dead letters')
      for (const l of letters) {
        console.log(`${l.schema}:${l.id}  ${l.failedAt.toISOString()}  ${l.consumer}  ${l.event.type} ${l.event.aggregateType}/${l.event.aggregateId} (event ${l.event.id})`)
        console.log(`    after ${l.attempts} attempts: ${l.error}${l.replayedAt ? `  [replayed ${l.replayedAt.toISOString()}]` : ''}`)
      }
    } else {
      const chosen = values.all ? letters.filter((l) => !l.replayedAt) : letters.filter((l) => ids.includes(`${l.schema}:${l.id}`))
      if (chosen.length === 0) throw new UsageError(`no dead letter matches ${ids.join(', ') || '--all'} (see: npm run dlq -- list)`)
      for (const letter of chosen) {
        await replayDeadLetter(db, letter)
        console.log(`replayed ${letter.schema}:${letter.id} (${letter.event.type} ${letter.event.id}) for ${letter.consumer}`)
      }
    }
  } finally {
    await db.close()
  }
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof UsageError ? error.message : error)
  process.exit(error instanceof UsageError ? 2 : 1)
}
