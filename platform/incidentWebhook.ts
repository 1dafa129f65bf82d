/**
 * The POST that tells people an incident opened or was resolved (INCIDENT_WEBHOOK_URL): a JSON
 * body, a timeout per attempt, a few retries with jittered backoff. It reports how it ended and
 * never throws: a receiver that is down must not break the service, and a webhook is a courtesy
 * on top of the incident recorded in the database.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { jitteredBackoff } from './retryBudget.ts'

export type IncidentEventName = 'incident.opened' | 'incident.resolved'

/** What the webhook receives. Times are RFC 3339; `resolvedAt` is null while the incident is open. */
export interface IncidentNotice {
  readonly event: IncidentEventName
  /** The service that raised it (its schema: `finance`). */
  readonly service: string
  readonly incident: {
    readonly id: string
    readonly integration: string
    readonly status: 'OPEN' | 'RESOLVED'
    readonly summary: string
    readonly lastError: string | null
    readonly openedAt: string
    readonly resolvedAt: string | null
  }
}

export type Delivered = { readonly ok: true; readonly attempts: number } | { readonly ok: false; readonly attempts: number; readonly error: string }

export interface IncidentWebhookOptions {
  readonly url: string
  /** One attempt's budget (default 5 s). */
  readonly timeoutMs?: number
  /** Attempts after the first (default 3). */
  readonly retries?: number
  /** Pause before retry number n (default: full jitter from 250 ms, capped at 5 s). */
  readonly backoffMs?: (retry: number) => number
}

/** Worth another attempt: the receiver is busy or failing, not refusing this body. */
const RETRIED_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504])

export interface IncidentWebhook {
  /** Resolves once the receiver accepted (2xx) or refused, or the retries ran out; or, without retrying, once `signal` aborts. */
  send(notice: IncidentNotice, signal?: AbortSignal): Promise<Delivered>
}

/** A poster to one URL. */
export function incidentWebhook(options: IncidentWebhookOptions): IncidentWebhook {
  const timeoutMs = options.timeoutMs ?? 5000
  const retries = options.retries ?? 3
  const backoff = options.backoffMs ?? ((retry: number) => jitteredBackoff(retry, 250, 5000))
  return {
    async send(notice, signal) {
      const body = JSON.stringify(notice)
      let error = ''
      for (let attempt = 1; ; attempt++) {
        const timeout = AbortSignal.timeout(timeoutMs)
        let retryable = true
        try {
          const response = await fetch(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'commerce-incidents' },
            body,
            signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          })
          // the answer's body is of no use: drop it, so the connection is free again
          await response.body?.cancel().catch(() => {})
          if (response.ok) return { ok: true, attempts: attempt }
          error = `the webhook answered ${response.status}`
          retryable = RETRIED_STATUSES.has(response.status)
        } catch (cause) {
          error = timeout.aborted ? `the webhook did not answer within ${timeoutMs} ms` : cause instanceof Error ? cause.message : String(cause)
        }
        if (!retryable || attempt > retries || signal?.aborted) return { ok: false, attempts: attempt, error }
        try {
          await sleep(backoff(attempt), undefined, signal ? { signal } : {})
        } catch {
          return { ok: false, attempts: attempt, error }
        }
      }
    },
  }
}
