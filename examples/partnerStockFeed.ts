/**
 * A partner's stock feed client: subscribes to `stockLevelChanged` through the gateway over
 * graphql-ws with the reviewed `StockChanges` operation (typed document from
 * operations/partner, sent with its persisted id), applies each event once, and after any
 * disconnect (network, gateway redeploy: 1001, slow-consumer cut-off: 1013) reconnects with the
 * cursor of the last event it applied, so it misses nothing and applies nothing twice. The
 * cursor is kept in a file, so a restarted client resumes too. If the cursor is older than the
 * event log keeps (EVENT_CURSOR_EXPIRED), it resyncs with `inventoryLevels(filter:
 * { sinceVersion })` and subscribes afresh.
 *
 *   PARTNER_TOKEN=$(npm run -s token -- --role partner --sub partner_acme --scope stock:read) \
 *   npx tsx examples/partnerStockFeed.ts --skus APP-0001-M,APP-0002-M [--locations loc_wh_east] \
 *     [--url ws://127.0.0.1:4000/graphql] [--state .data/partner-cursor.json]
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { print, type DocumentNode } from 'graphql'
import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import {
  StockChangesDocument,
  StockLevelsDocument,
  type StockChangesSubscription,
  type StockLevelFilterInput,
  type StockLevelsQuery,
} from '../operations/partner/generated/graphql.ts'

export type StockEvent = StockChangesSubscription['stockLevelChanged']

export interface FeedOptions {
  readonly url: string
  readonly token: string
  readonly filter: StockLevelFilterInput
  /** Where the last applied cursor and version are kept. */
  readonly statePath: string
  /** Applies one event (store it, push it on); the cursor moves only after it resolves. */
  readonly apply: (event: StockEvent) => void | Promise<void>
  /** Levels read again after an expired cursor (their current quantities), page by page. */
  readonly resynced?: (levels: StockLevelsQuery['inventoryLevels']['nodes']) => void | Promise<void>
  readonly log?: (message: string) => void
}

export interface Feed {
  /** The current connection (tests cut it to see the feed resume). */
  readonly client: Client
  stop(): Promise<void>
}

interface FeedState {
  cursor: string | null
  /** Highest level version applied: where a resync starts when the cursor has expired. */
  version: string
}

/** Operations go by their persisted id (the manifest's sha256 of the body) with the body: accepted in every trusted-documents mode. */
const persisted = (document: DocumentNode) => {
  const query = print(document)
  return { query, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } } }
}

export function followStockFeed(options: FeedOptions): Feed {
  const log = options.log ?? ((message: string) => console.error(message))
  const load = (): FeedState =>
    existsSync(options.statePath) ? (JSON.parse(readFileSync(options.statePath, 'utf8')) as FeedState) : { cursor: null, version: '0' }
  const save = (state: FeedState) => {
    mkdirSync(dirname(options.statePath), { recursive: true })
    writeFileSync(options.statePath, JSON.stringify(state))
  }
  let stopped = false
  let wake: (() => void) | null = null
  const client = createClient({
    url: options.url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${options.token}` },
    // reconnecting is done below, so that each new subscription carries the latest cursor
    retryAttempts: 0,
    lazy: true,
  })

  const resync = async (state: FeedState) => {
    log(`cursor expired: resyncing levels changed after version ${state.version}`)
    const levelFilter = {
      ...(options.filter.skus ? { skus: options.filter.skus } : {}),
      ...(options.filter.locationIds ? { locationIds: options.filter.locationIds } : {}),
    }
    let after: string | null = null
    do {
      const result: IteratorResult<{ data?: unknown }> = await client
        .iterate({ ...persisted(StockLevelsDocument), variables: { filter: { ...levelFilter, sinceVersion: state.version }, first: 100, after } })
        .next()
      const page: StockLevelsQuery['inventoryLevels'] | undefined = (result.value?.data as StockLevelsQuery | undefined)?.inventoryLevels
      if (!page) throw new Error(`resync failed: ${JSON.stringify(result.value)}`)
      await options.resynced?.(page.nodes)
      for (const level of page.nodes) if (BigInt(level.version) > BigInt(state.version)) state.version = level.version
      after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null
    } while (after)
    state.cursor = null
    save(state)
  }

  const run = async () => {
    const state = load()
    for (let attempt = 0; !stopped; attempt++) {
      try {
        const events = client.iterate({ ...persisted(StockChangesDocument), variables: { filter: options.filter, after: state.cursor } })
        for await (const result of events) {
          if (result.errors?.[0]?.extensions?.['code'] === 'EVENT_CURSOR_EXPIRED') {
            await resync(state)
            break
          }
          if (result.errors) throw new Error(JSON.stringify(result.errors))
          const event = (result.data as StockChangesSubscription).stockLevelChanged
          await options.apply(event)
          // a crash between apply and save replays this event: apply must be idempotent by eventId or version
          state.cursor = event.cursor
          if (BigInt(event.version) > BigInt(state.version)) state.version = event.version
          save(state)
          attempt = 0
        }
      } catch (error) {
        if (stopped) return
        const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random() / 2)
        log(`feed interrupted (${describe(error)}); resuming from the last cursor in ${Math.round(delay)} ms`)
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, delay)
        })
      }
    }
  }
  const running = run()
  return {
    client,
    async stop() {
      stopped = true
      wake?.()
      await client.dispose()
      await running
    },
  }
}

function describe(error: unknown): string {
  const close = error as { code?: number; reason?: string } | null
  if (typeof close?.code === 'number') return `closed ${close.code}${close.reason ? `: ${close.reason}` : ''}`
  return error instanceof Error ? error.message : String(error)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      skus: { type: 'string' },
      locations: { type: 'string' },
      url: { type: 'string', default: process.env['GATEWAY_WS_URL'] ?? 'ws://127.0.0.1:4000/graphql' },
      state: { type: 'string', default: '.data/partner-cursor.json' },
    },
  })
  const token = process.env['PARTNER_TOKEN']
  if (!token) throw new Error('set PARTNER_TOKEN to a partner JWT with the stock:read scope (npm run token -- --role partner --sub <id> --scope stock:read)')
  const filter: StockLevelFilterInput = {
    ...(values.skus ? { skus: values.skus.split(',') } : {}),
    ...(values.locations ? { locationIds: values.locations.split(',') } : {}),
  }
  if (!filter.skus && !filter.locationIds) throw new Error('pass --skus and/or --locations')
  const feed = followStockFeed({
    url: values.url,
    token,
    filter,
    statePath: values.state,
    apply: (event) => {
      const available = event.changes.find((c) => c.name === 'AVAILABLE')?.after
      console.log(`${event.sku} @ ${event.location.id}: AVAILABLE ${available ?? '(unchanged)'} ${event.transition === 'NONE' ? '' : event.transition} (v${event.version}) ${event.variant.product.title}`)
    },
  })
  process.on('SIGINT', () => void feed.stop().then(() => process.exit(0)))
}
