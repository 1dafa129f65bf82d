import { useCallback } from 'preact/hooks'
import type { FeedMappingApproveAnswer, WaitingFeedMapping } from '../../gateway/console/consoleApi.ts'
import { approveFeedMapping, fetchFeedMappings } from './api.ts'
import { ago } from './format.ts'
import { usePolled } from './usePolled.ts'

/**
 * Partner feed mappings waiting for approval: for each partner and kind of file, how many files
 * wait, which of the partner's columns each of our fields would read, how sure the proposal is and
 * what a reviewer must look at. "Approve as proposed" is offered only for a proposal that applies
 * as it is; one that needs an edited mapping is approved in GraphiQL (partnerFeedMappingApprove).
 */
export function FeedMappings({ token, onSignInError }: { readonly token: string; readonly onSignInError: (error: unknown) => boolean }) {
  const read = useCallback(() => fetchFeedMappings(token), [token])
  const { answer, notice, busy, load, act } = usePolled(read, 'Feed mappings', onSignInError)

  const approve = (mapping: WaitingFeedMapping) => {
    const name = `${mapping.partnerId} ${mapping.kind}`
    // one key per click: a request the network repeats is the same approval, a second click another
    return act(name, async () => outcomeOf(name, await approveFeedMapping(token, mapping.partnerId, mapping.kind, crypto.randomUUID())), `Approval of ${name} failed`)
  }

  return (
    <section aria-labelledby="feed-mappings-title" data-section="feed-mappings">
      <header class="section-header">
        <h2 id="feed-mappings-title">Partner feed mappings</h2>
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
      {answer?.mappings.length === 0 && <p class="empty">No mapping waits for approval.</p>}
      {answer?.mappings.map((mapping) => {
        const name = `${mapping.partnerId} ${mapping.kind}`
        const blocked = blockedBecause(mapping)
        return (
          <div key={name} class="feed-mapping" data-feed-mapping={`${mapping.partnerId}:${mapping.kind}`}>
            <h3>
              {mapping.partnerId} <span class="muted">{mapping.kind}</span>{' '}
              <span class="muted" title={mapping.oldestWaitingAt}>
                {mapping.filesWaiting} {mapping.filesWaiting === 1 ? 'file waits' : 'files wait'}, the oldest {ago(mapping.oldestWaitingAt)}; confidence {percent(mapping.confidence)}
              </span>
            </h3>
            <table>
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Column</th>
                  <th class="number">Confidence</th>
                </tr>
              </thead>
              <tbody>
                {mapping.fields.map((field) => (
                  <tr key={field.field} data-field={field.field}>
                    <td>
                      {field.field} {field.required && <span class="muted">required</span>}
                    </td>
                    <td>{field.column ?? <span class="muted">none</span>}</td>
                    <td class="number">{field.column === null ? '' : percent(field.confidence)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {mapping.review.length > 0 && (
              <ul class="review-notes">
                {mapping.review.map((note) => (
                  <li key={`${note.field}:${note.reason}`} class={note.blocking ? 'error-text' : ''}>
                    {note.field}: {note.reason}
                    {note.blocking && ' (blocking)'}
                  </li>
                ))}
              </ul>
            )}
            <p>
              <button type="button" disabled={busy !== null || blocked !== null} title={blocked ?? undefined} onClick={() => void approve(mapping)}>
                Approve as proposed
              </button>{' '}
              {blocked && <span class="muted">{blocked}</span>}
            </p>
          </div>
        )
      })}
    </section>
  )
}

/** Why the proposal cannot be approved as it is; null when it can. */
function blockedBecause(mapping: WaitingFeedMapping): string | null {
  if (mapping.status === 'APPROVED') return 'Approved already: its waiting files apply with the next file or approval.'
  if (mapping.ready) return null
  const unmapped = mapping.unmappedRequired.map((field) => `${field} has no column`)
  const notes = mapping.review.filter((note) => note.blocking).map((note) => note.field)
  const reasons = [...unmapped, ...(notes.length > 0 ? [`settle ${notes.join(', ')}`] : [])]
  return `Not ready: ${reasons.join('; ') || 'the proposal does not apply as it is'}. Edit and approve it in GraphiQL (partnerFeedMappingApprove).`
}

function outcomeOf(name: string, answer: FeedMappingApproveAnswer): string {
  if (answer.outcome === 'approved') {
    const applied = answer.appliedFeeds.map((feed) => `${feed.id} ${feed.status}`).join(', ')
    return `Approved ${name}${applied ? `: ${applied}` : ''}.`
  }
  if (answer.outcome === 'already_approved') return `${name} was already approved${answer.approvedBy ? ` by ${answer.approvedBy}` : ''}.`
  return `${name} was not approved: ${answer.userErrors.map((error) => `${error.code} (${error.message})`).join('; ')}`
}

const percent = (value: number): string => `${Math.round(value * 100)}%`
