import type { ExecutionResult } from 'graphql'
import { viewerKind, type Role, type Viewer } from '../../platform/viewer.ts'

/** Client subscriptions streaming now for one viewer (the operator console lists them by partner). */
export interface ClientSubscriptions {
  readonly kind: Role | 'anonymous'
  /** The token's subject; null for a viewer without one. */
  readonly sub: string | null
  readonly subscriptions: number
}

/**
 * Counts open client subscriptions per viewer: a stream counts from the moment it is handed out
 * until it ends, whichever way — the client completes it or disconnects (`return()`), the upstream
 * fails it or the hub closes (`next()` says done), or it throws.
 */
export class SubscribersByClient {
  private readonly counts = new Map<string, { kind: Role | 'anonymous'; sub: string | null; subscriptions: number }>()

  track(viewer: Viewer, stream: AsyncIterableIterator<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
    const kind = viewerKind(viewer)
    const key = `${kind}\u0000${viewer.sub ?? ''}`
    const entry = this.counts.get(key) ?? { kind, sub: viewer.sub, subscriptions: 0 }
    entry.subscriptions++
    this.counts.set(key, entry)
    let open = true
    const ended = () => {
      if (!open) return
      open = false
      entry.subscriptions--
      if (entry.subscriptions === 0) this.counts.delete(key)
    }
    const tracked: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        try {
          const result = await stream.next()
          if (result.done) ended()
          return result
        } catch (error) {
          ended()
          throw error
        }
      },
      async return(value?: unknown) {
        ended()
        return stream.return ? stream.return(value) : { done: true, value: undefined }
      },
      async throw(error?: unknown) {
        ended()
        if (stream.throw) return stream.throw(error)
        throw error
      },
      [Symbol.asyncIterator]() {
        return tracked
      },
    }
    return tracked
  }

  /** Every viewer with a subscription open, most subscriptions first. */
  snapshot(): ClientSubscriptions[] {
    return [...this.counts.values()].map((entry) => ({ ...entry })).sort((a, b) => b.subscriptions - a.subscriptions || String(a.sub).localeCompare(String(b.sub)))
  }
}
