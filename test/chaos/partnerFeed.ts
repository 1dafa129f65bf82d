/**
 * A partner following stock over graphql-ws through a gateway, as the schema tells partners to:
 * whenever its stream ends (an error, a closed socket) it subscribes again from the cursor of the
 * last event it applied. Every event received is kept, duplicates included, for the assertions.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { PARTNER, tokenFor } from './clients.ts'

const EVERY_QUANTITY = ['AVAILABLE', 'ON_HAND', 'COMMITTED', 'RESERVED', 'INCOMING', 'DAMAGED', 'SAFETY_STOCK', 'QUALITY_CONTROL']
const FEED = `subscription ChaosFeed($skus: [String!], $names: [InventoryQuantityName!], $after: String) {
  stockLevelChanged(filter: { skus: $skus, quantityNames: $names }, after: $after) { eventId cursor version sku location { id } }
}`

export interface StockEvent {
  readonly eventId: string
  readonly cursor: string
  readonly version: string
  readonly sku: string
  readonly locationId: string
}

export interface PartnerFeed {
  /** Every event received, in the order received (duplicates kept: the assertions look for them). */
  readonly events: StockEvent[]
  /** Streams that ended by error or close and were subscribed again from the last cursor. */
  readonly resumes: number
  /** Why each stream ended. */
  readonly interruptions: string[]
  stop(): Promise<void>
}

/**
 * A partner following every change of `skus` through the gateway at `wsUrl`: whenever the stream
 * ends (an error, the socket closing), it subscribes again on a new socket with the cursor of the
 * last event it applied, as the schema tells partners to.
 */
export function followStock(wsUrls: readonly string[], skus: readonly string[]): PartnerFeed {
  const events: StockEvent[] = []
  const interruptions: string[] = []
  let resumes = 0
  let stopped = false
  /** Ends the stream under way (unsubscribes and lets the loop move on). */
  let endStream: () => void = () => {}

  const stream = async (n: number): Promise<void> => {
    const token = await tokenFor(PARTNER)
    const url = wsUrls[n % wsUrls.length] as string
    const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: true, retryAttempts: 0 })
    const after = events.at(-1)?.cursor ?? null
    try {
      await new Promise<void>((resolve) => {
        if (stopped) return resolve()
        const unsubscribe = client.subscribe<{ stockLevelChanged: { eventId: string; cursor: string; version: string; sku: string; location: { id: string } } }>(
          { query: FEED, variables: { skus, names: EVERY_QUANTITY, after } },
          {
            next: (result) => {
              const event = result.data?.stockLevelChanged
              if (event) events.push({ eventId: event.eventId, cursor: event.cursor, version: event.version, sku: event.sku, locationId: event.location.id })
              else interruptions.push(`a result without data: ${JSON.stringify(result.errors)}`)
            },
            error: (error) => {
              interruptions.push(describeStreamEnd(error))
              resolve()
            },
            complete: () => {
              if (!stopped) interruptions.push('completed')
              resolve()
            },
          },
        )
        endStream = () => {
          unsubscribe()
          resolve()
        }
      })
    } finally {
      endStream = () => {}
      await client.dispose()
    }
  }
  const running = (async () => {
    for (let n = 0; !stopped; n++) {
      await stream(n).catch((error: unknown) => void interruptions.push(describeStreamEnd(error)))
      if (stopped) break
      resumes++
      await sleep(250)
    }
  })()
  return {
    events,
    get resumes() {
      return resumes
    },
    interruptions,
    async stop() {
      stopped = true
      endStream()
      await running
    },
  }
}

function describeStreamEnd(error: unknown): string {
  if (Array.isArray(error)) return `errors: ${error.map((e: { message?: string; extensions?: { code?: string } }) => e.extensions?.code ?? e.message).join(', ')}`
  if (error && typeof error === 'object' && 'code' in error) return `closed ${String((error as { code: unknown }).code)} ${String((error as { reason?: unknown }).reason ?? '')}`
  return error instanceof Error ? error.message : String(error)
}
