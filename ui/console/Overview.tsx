import type { CodeCount, ConsoleOverview, IncidentSource, OpenIncident, SubgraphState } from '../../gateway/console/consoleApi.ts'
import { ago, count, ms, rate, seconds, uptime } from './format.ts'

/** Every section of the overview, as the last poll found it. */
export function Overview({ overview }: { readonly overview: ConsoleOverview }) {
  return (
    <>
      <Subgraphs subgraphs={overview.subgraphs} />
      <Incidents incidents={overview.incidents} sources={overview.incidentSources} />
      <section aria-labelledby="operations-title">
        <h2 id="operations-title">Requests by operation, last {overview.windowSeconds} s</h2>
        <table class="operations">
          <thead>
            <tr>
              <th>Operation</th>
              <th>Type</th>
              <th class="number">Requests/s</th>
              <th class="number">Errors/s</th>
              <th class="number">Mean</th>
              <th>Error codes</th>
            </tr>
          </thead>
          <tbody>
            {overview.operations.length === 0 && (
              <tr>
                <td colSpan={6} class="empty">
                  No operation in the window.
                </td>
              </tr>
            )}
            {overview.operations.map((operation) => (
              <tr key={`${operation.type} ${operation.name}`} data-operation={operation.name} class={operation.errors > 0 ? 'has-errors' : ''}>
                <td>{operation.name}</td>
                <td>{operation.type}</td>
                <td class="number">{rate(operation.requestsPerSecond)}</td>
                <td class="number">{rate(operation.errorsPerSecond)}</td>
                <td class="number">{ms(operation.meanMs)}</td>
                <td>{codes(operation.errorCodes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <div class="columns">
        <section aria-labelledby="subscriptions-title" data-section="subscriptions">
          <h2 id="subscriptions-title">Subscriptions</h2>
          <dl class="figures">
            <Figure label="Streaming now" value={count(overview.subscriptions.subscribers)} />
            <Figure label="Upstream (shared)" value={count(overview.subscriptions.upstream)} />
            <Figure label="Sockets" value={count(overview.gateway.connections)} />
          </dl>
          <table>
            <thead>
              <tr>
                <th>Client</th>
                <th>Kind</th>
                <th class="number">Subscriptions</th>
              </tr>
            </thead>
            <tbody>
              {overview.subscriptions.byClient.length === 0 && (
                <tr>
                  <td colSpan={3} class="empty">
                    No subscription open.
                  </td>
                </tr>
              )}
              {overview.subscriptions.byClient.map((client) => (
                <tr key={`${client.kind} ${client.sub}`} data-client={client.sub ?? ''}>
                  <td>{client.sub ?? '(anonymous)'}</td>
                  <td>{client.kind}</td>
                  <td class="number">{client.subscriptions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="trusted-title" data-section="trusted-documents">
          <h2 id="trusted-title">Trusted documents</h2>
          <dl class="figures">
            <Figure label="Mode" value={overview.trustedDocuments.mode} />
            <Figure label="Operations" value={count(overview.trustedDocuments.operations)} />
            <Figure label="Known" value={count(overview.trustedDocuments.known)} />
            <Figure label="Unknown" value={count(overview.trustedDocuments.unknown)} />
            <Figure label="Refused" value={count(overview.trustedDocuments.refused)} alert={overview.trustedDocuments.refused > 0} />
          </dl>
        </section>
        <section aria-labelledby="errors-title">
          <h2 id="errors-title">Errors since start</h2>
          <h3>By code</h3>
          <CodeList counts={overview.errorsByCode} empty="No error." />
          <h3>Refused at the edge</h3>
          <CodeList counts={overview.edgeRefusals} empty="No refusal." />
        </section>
      </div>
    </>
  )
}

/** The supergraph and the gateway, for the page's header. */
export function Status({ overview }: { readonly overview: ConsoleOverview }) {
  const { supergraph } = overview
  return (
    <dl class="status">
      <Figure label="Supergraph" value={supergraph.version ?? 'not loaded'} />
      <Figure label="Loaded" value={ago(supergraph.loadedAt)} title={supergraph.loadedAt ?? ''} />
      <Figure label="Reloads" value={count(supergraph.reloads)} />
      <Figure label="Gateway up" value={uptime(overview.gateway.uptimeSeconds)} />
      <Figure label="Environment" value={overview.gateway.nodeEnv} />
    </dl>
  )
}

function Subgraphs({ subgraphs }: { readonly subgraphs: readonly SubgraphState[] }) {
  return (
    <section aria-labelledby="subgraphs-title">
      <h2 id="subgraphs-title">Subgraphs</h2>
      <div class="cards">
        {subgraphs.map((subgraph) => (
          <article key={subgraph.name} class={`card ${subgraph.status}`} data-subgraph={subgraph.name} data-status={subgraph.status}>
            <header>
              <h3>{subgraph.name}</h3>
              <span class={`badge ${subgraph.status}`}>{subgraph.status}</span>
            </header>
            <dl class="figures">
              {subgraph.replicas.map((replica) => (
                <Figure key={replica.host} label={replica.host} value={replica.up ? `probe ${ms(replica.probeMs)}` : 'no answer'} alert={!replica.up} />
              ))}
              <Figure label="Circuit" value={subgraph.circuit ?? 'not called yet'} alert={subgraph.circuit === 'open'} />
              <Figure label="Calls (failed)" value={`${count(subgraph.fetches.count)} (${count(subgraph.fetches.errors)})`} alert={subgraph.fetches.errors > 0} />
              <Figure label="Mean call" value={ms(subgraph.fetches.meanMs)} />
              {subgraph.events && (
                <>
                  <Figure label="Outbox backlog" value={`${count(subgraph.events.outboxBacklog)} (oldest ${seconds(subgraph.events.outboxOldestSeconds)})`} alert={subgraph.events.outboxBacklog > 100} />
                  <Figure label="Dead letters" value={count(subgraph.events.deadLetters)} alert={subgraph.events.deadLetters > 0} />
                </>
              )}
            </dl>
            {subgraph.events && subgraph.events.consumers.length > 0 && (
              <table class="consumers">
                <thead>
                  <tr>
                    <th>Consumer</th>
                    <th class="number">Applied</th>
                    <th class="number">Retries</th>
                    <th class="number">Mean lag</th>
                  </tr>
                </thead>
                <tbody>
                  {subgraph.events.consumers.map((consumer) => (
                    <tr key={consumer.consumer}>
                      <td>{consumer.consumer}</td>
                      <td class="number">{count(consumer.applied)}</td>
                      <td class="number">{count(consumer.retries)}</td>
                      <td class="number">{seconds(consumer.meanLagSeconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {!subgraph.events && <p class="muted">{subgraph.status === 'down' ? 'No figures: the subgraph does not answer.' : 'No figures from its /metrics.'}</p>}
          </article>
        ))}
      </div>
    </section>
  )
}

/** Open incidents of the services' external integrations, and a note for each service that could not say. */
function Incidents({ incidents, sources }: { readonly incidents: readonly OpenIncident[]; readonly sources: readonly IncidentSource[] }) {
  return (
    <section aria-labelledby="incidents-title" data-section="incidents">
      <h2 id="incidents-title">Open incidents</h2>
      {sources
        .filter((source) => !source.available)
        .map((source) => (
          <p key={source.service} class="error" data-incident-source={source.service}>
            Incidents of {source.service} unknown: it {source.reason ?? 'did not answer'}.
          </p>
        ))}
      <table class="incidents">
        <thead>
          <tr>
            <th>Service</th>
            <th>Integration</th>
            <th>Since</th>
            <th>Summary</th>
            <th>Last error</th>
            <th>Notified</th>
          </tr>
        </thead>
        <tbody>
          {incidents.length === 0 && (
            <tr>
              <td colSpan={6} class="empty">
                No open incidents.
              </td>
            </tr>
          )}
          {incidents.map((incident) => (
            <tr key={`${incident.service}:${incident.id}`} data-incident={`${incident.service}:${incident.id}`}>
              <td>{incident.service}</td>
              <td>{incident.integration}</td>
              <td title={incident.openedAt}>{ago(incident.openedAt)}</td>
              <td class="summary">{incident.summary}</td>
              <td class="error-text">{incident.lastError ?? '–'}</td>
              <td title={incident.notifiedAt ?? ''}>{incident.notifiedAt ? ago(incident.notifiedAt) : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

function Figure({ label, value, alert = false, title }: { readonly label: string; readonly value: string; readonly alert?: boolean; readonly title?: string }) {
  return (
    <div class={alert ? 'figure alert' : 'figure'}>
      <dt>{label}</dt>
      <dd title={title}>{value}</dd>
    </div>
  )
}

function CodeList({ counts, empty }: { readonly counts: readonly CodeCount[]; readonly empty: string }) {
  if (counts.length === 0) return <p class="muted">{empty}</p>
  return (
    <ul class="codes">
      {counts.map((entry) => (
        <li key={entry.code}>
          <code>{entry.code}</code> {count(entry.count)}
        </li>
      ))}
    </ul>
  )
}

const codes = (counts: readonly CodeCount[]) => counts.map((entry) => `${entry.code} ×${entry.count}`).join(', ')
