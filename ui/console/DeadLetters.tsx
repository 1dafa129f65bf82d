import { useCallback } from 'preact/hooks'
import { fetchDeadLetters, replayDeadLetter } from './api.ts'
import { ago } from './format.ts'
import { usePolled } from './usePolled.ts'

/**
 * Every subgraph's dead letters, newest first, with a replay button on those not yet replayed.
 * A replay puts the original event back on the bus for the consumer that gave up on it (the same
 * as `npm run dlq -- replay`); the list is read again right after.
 */
export function DeadLetters({ token, onSignInError }: { readonly token: string; readonly onSignInError: (error: unknown) => boolean }) {
  const read = useCallback(() => fetchDeadLetters(token), [token])
  const { answer, notice, busy, load, act } = usePolled(read, 'Dead letters', onSignInError)

  const replay = (service: string, id: string) =>
    act(
      `${service}:${id}`,
      async () => {
        const result = await replayDeadLetter(token, service, id)
        return result.outcome === 'replayed'
          ? `Replayed ${service}:${id}: the event is back on the bus for ${result.deadLetter?.consumer ?? 'its consumer'}.`
          : result.outcome === 'already_replayed'
            ? `${service}:${id} was already replayed.`
            : `${service}:${id} is gone.`
      },
      'Replay failed',
    )

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
