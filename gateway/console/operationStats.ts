import type { ApolloServerPlugin } from '@apollo/server'
import { boundedLabel } from '../../platform/metrics.ts'
import type { GatewayContext } from '../context.ts'
import type { CodeCount, OperationRate } from './consoleApi.ts'

/** The console's window: rates are over the last minute, in 5-second slices. */
export const WINDOW_SECONDS = 60
const SLICE_MS = 5_000
const SLICES = WINDOW_SECONDS / (SLICE_MS / 1000)
/** Operation names kept apart; later ones count as `other` (names come from clients). */
const MAX_OPERATIONS = 200

interface Slice {
  /** Which 5-second slice of time this is (ms since the epoch / SLICE_MS). */
  index: number
  requests: number
  errors: number
  totalMs: number
  codes: Map<string, number>
}

export interface OperationStats {
  /** Counts every operation Apollo answers (HTTP, and queries and mutations over graphql-ws). */
  readonly plugin: ApolloServerPlugin<GatewayContext>
  /** Each operation's rates over the window, busiest first. */
  snapshot(): OperationRate[]
}

/**
 * Requests and errors per operation over the last minute, for the console's live table. The
 * Prometheus series (gateway/metrics.ts) count since start, and by code rather than by operation:
 * a rate per operation needs a window, kept here in slices so memory stays bounded whatever the
 * traffic.
 */
export function createOperationStats(now: () => number = Date.now): OperationStats {
  const label = boundedLabel(MAX_OPERATIONS)
  const operations = new Map<string, { name: string; type: string; slices: Slice[] }>()
  const startedAt = now()

  const record = (name: string, type: string, ms: number, codes: readonly string[]) => {
    const key = `${type}\u0000${name}`
    let operation = operations.get(key)
    if (!operation) {
      operation = { name, type, slices: [] }
      operations.set(key, operation)
    }
    const index = Math.floor(now() / SLICE_MS)
    let slice = operation.slices.at(-1)
    if (!slice || slice.index !== index) {
      slice = { index, requests: 0, errors: 0, totalMs: 0, codes: new Map() }
      operation.slices.push(slice)
      while ((operation.slices[0]?.index ?? index) <= index - SLICES) operation.slices.shift()
    }
    slice.requests++
    slice.totalMs += ms
    if (codes.length > 0) slice.errors++
    for (const code of new Set(codes)) slice.codes.set(code, (slice.codes.get(code) ?? 0) + 1)
  }

  return {
    plugin: {
      async requestDidStart() {
        const started = performance.now()
        return {
          async willSendResponse({ operation, operationName, response }) {
            const name = operation ? label(operationName ?? operation.name?.value ?? '(anonymous)') : '(unresolved)'
            const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : []
            const codes = errors.map((error) => {
              const code = error.extensions?.['code']
              return typeof code === 'string' ? code : 'other'
            })
            record(name, operation?.operation ?? 'unknown', performance.now() - started, codes)
          },
        }
      },
    },
    snapshot() {
      const current = Math.floor(now() / SLICE_MS)
      // a gateway up for less than the window has counted for less time
      const seconds = Math.min(WINDOW_SECONDS, Math.max(1, (now() - startedAt) / 1000))
      const rates: OperationRate[] = []
      for (const [key, operation] of operations) {
        const slices = operation.slices.filter((slice) => slice.index > current - SLICES)
        if (slices.length === 0) {
          operations.delete(key)
          continue
        }
        const requests = slices.reduce((sum, s) => sum + s.requests, 0)
        const errors = slices.reduce((sum, s) => sum + s.errors, 0)
        const codes = new Map<string, number>()
        for (const slice of slices) for (const [code, n] of slice.codes) codes.set(code, (codes.get(code) ?? 0) + n)
        const errorCodes: CodeCount[] = [...codes].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count)
        rates.push({
          name: operation.name,
          type: operation.type,
          requests,
          errors,
          requestsPerSecond: requests / seconds,
          errorsPerSecond: errors / seconds,
          meanMs: slices.reduce((sum, s) => sum + s.totalMs, 0) / requests,
          errorCodes,
        })
      }
      return rates.sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name))
    },
  }
}
