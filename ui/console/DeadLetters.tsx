import { useCallback, useEffect, useState } from 'preact/hooks'
import type { DeadLettersAnswer } from '../../gateway/console/consoleApi.ts'
import { fetchDeadLetters, replayDeadLetter } from './api.ts'
import { ago } from './format.ts'

/** Dead letters are read less often than the overview: each read asks every subgraph's database. */
const REFRESH_MS = 10_000

/**
 * Every subgraph's dead letters, newest first, with a replay button on those not yet replayed.
 * A replay puts the original event back on the bus for the consumer that gave up on it (the same
 * as `npm run dlq -- replay`); the list is read again right after.
 */
export function DeadLetters({ token, onSignInError }: { readonly token: string; readonly onSignInError: (error: unknown) => boolean }) {
  const [answer, setAnswer] = useState<DeadLettersAnswer | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      setAnswer(await fetchDeadLetters(token))
    } catch (error) {
      if (!onSignInError(error)) setNotice(`Dead letters could not be read: ${(error as Error).message}`)
    }
  }, [token, onSignInError])

  useEffect(() => {
    void load()
    const timer = setInterval(() => void load(), REFRESH_MS)
    return () => clearInterval(timer)
  }, [load])

  const replay = async (service: string, id: string) => {
    setBusy(`${service}:${id}`)
    try {
      const result = await replayDeadLetter(token, service, id)
      setNotice(
        result.outcome === 'replayed'
          ? `Replayed ${service}:${id}: the event is back on the bus for ${result.deadLetter?.consumer ?? 'its consumer'}.`
          : result.outcome === 'already_replayed'
            ? `${service}:${id} was already replayed.`
            : `${service}:${id} is gone.`,
      )
    } catch (error) {
      if (!onSignInError(error)) setNotice(`Replay failed: ${(error as Error).message}`)
    } finally {
      setBusy(null)
      await load()
    }
  }

  return (
    <section aria-labelledby="dead-letters-title" data-section="dead-letters">
      <header class="section-header">
        <h2 id="dead-letters-title">Dead letters</h2>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </header>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {!answer && <p class="muted">Loading…</p>}
      {answer?.services.map((service) => (
        <div key={service.service} class="dead-letters" data-service={service.service}>
          <h3>
            {service.service} <span class="muted">{service.available ? `${service.unreplayed} not replayed` : service.error}</span>
          </h3>
          {service.available && service.deadLetters.length === 0 && <p class="muted">None.</p>}
          {service.deadLetters.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Failed</th>
                  <th>Consumer</th>
                  <th>Event</th>
                  <th>Error</th>
                  <th class="number">Attempts</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {service.deadLetters.map((letter) => (
                  <tr key={letter.id} data-dead-letter={`${service.service}:${letter.id}`} class={letter.replayedAt ? 'replayed' : ''}>
                    <td>{letter.id}</td>
                    <td title={letter.failedAt}>{ago(letter.failedAt)}</td>
                    <td>{letter.consumer}</td>
                    <td>
                      {letter.eventType} <span class="muted">{letter.aggregate}</span>
                    </td>
                    <td class="error-text">{letter.error}</td>
                    <td class="number">{letter.attempts}</td>
                    <td>
                      {letter.replayedAt ? (
                        <span class="muted" title={letter.replayedAt}>
                          replayed {ago(letter.replayedAt)}
                        </span>
                      ) : (
                        <button type="button" disabled={busy !== null} onClick={() => void replay(service.service, letter.id)}>
                          Replay
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </section>
  )
}
