import { useEditorContext, useExecutionContext, type GraphiQLPlugin } from '@graphiql/react'
import { createElement as h, useCallback, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react'
import type { PersistedOperationsAnswer, PersistedOperationView } from '../../gateway/ui/graphiqlApi.ts'

type Loaded = { readonly kind: 'loading' } | { readonly kind: 'loaded'; readonly answer: PersistedOperationsAnswer } | { readonly kind: 'failed'; readonly message: string }

/**
 * The client manifests' operations as the gateway lists them, shared by the pane below (which
 * shows them) and the fetcher (which sends an unchanged manifest body by id).
 */
export class PersistedOperations {
  private state: Loaded = { kind: 'loading' }
  private byBody = new Map<string, PersistedOperationView>()
  private readonly listeners = new Set<() => void>()

  constructor(private readonly url: string) {}

  /** (Re)loads the list with these headers (in production the gateway lists it for staff only). */
  async load(headers: Record<string, string>): Promise<void> {
    this.set({ kind: 'loading' })
    try {
      const response = await fetch(this.url, { headers: { accept: 'application/json', ...headers } })
      const body = (await response.json()) as PersistedOperationsAnswer | { errors?: { message: string }[] }
      if (!response.ok || !('operations' in body)) throw new Error(('errors' in body && body.errors?.[0]?.message) || `${response.status} ${response.statusText}`)
      this.byBody = new Map(body.operations.map((operation) => [operation.body, operation]))
      this.set({ kind: 'loaded', answer: body })
    } catch (error) {
      this.byBody = new Map()
      this.set({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
    }
  }

  /** The operation whose body is exactly `query`: GraphiQL sends it by id. */
  find = (query: string): PersistedOperationView | undefined => this.byBody.get(query)

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  snapshot = (): Loaded => this.state

  private set(state: Loaded): void {
    this.state = state
    for (const listener of this.listeners) listener()
  }
}

/** The headers pane's JSON as headers; none when it does not parse. */
function headersFrom(text: string | undefined): Record<string, string> {
  try {
    const parsed = JSON.parse(text || '{}') as unknown
    if (typeof parsed !== 'object' || parsed === null) return {}
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
  } catch {
    return {}
  }
}

const icon = () =>
  h(
    'svg',
    { viewBox: '0 0 24 24', width: '1em', height: '1em', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
    h('path', { d: 'M8 6h13M8 12h13M8 18h13M3.5 6h.01M3.5 12h.01M3.5 18h.01', strokeLinecap: 'round' }),
  )

/** GraphiQL's pane listing every client's persisted operations: open one in the editor, or run it by id. */
export function persistedOperationsPlugin(store: PersistedOperations): GraphiQLPlugin {
  function Content(): ReactNode {
    const state = useSyncExternalStore(store.subscribe, store.snapshot)
    const editors = useEditorContext({ nonNull: true })
    const execution = useExecutionContext({ nonNull: true })
    const [pendingRun, setPendingRun] = useState(false)
    const reload = useCallback(() => void store.load(headersFrom(editors.headerEditor?.getValue())), [editors.headerEditor])
    useEffect(() => {
      // the run starts once GraphiQL has taken the new text in (its operation facts follow the editor)
      if (!pendingRun) return
      setPendingRun(false)
      execution.run()
    }, [pendingRun, execution])
    const open = (operation: PersistedOperationView, run: boolean) => {
      editors.queryEditor?.setValue(operation.body)
      if (run) setPendingRun(true)
    }
    const header = h(
      'div',
      { className: 'persisted-header' },
      h('p', null, 'The client manifests (operations/<client>/manifest.json). An operation left unchanged in the editor is sent by id: ', h('code', null, 'documentId'), '.'),
      h('button', { type: 'button', className: 'graphiql-button', onClick: reload }, 'Reload with the headers pane'),
    )
    if (state.kind === 'loading') return h('div', { className: 'persisted' }, header, h('p', null, 'Loading…'))
    if (state.kind === 'failed') return h('div', { className: 'persisted' }, header, h('p', { className: 'persisted-error', role: 'alert' }, state.message))
    const { mode, operations } = state.answer
    if (mode === 'off') return h('div', { className: 'persisted' }, header, h('p', null, 'TRUSTED_DOCUMENTS=off: the gateway runs no operation by id.'))
    const clients = [...new Set(operations.map((operation) => operation.client))]
    return h(
      'div',
      { className: 'persisted' },
      header,
      h('p', null, `TRUSTED_DOCUMENTS=${mode}`, mode === 'enforce' ? ': only these run (staff may send free-form documents when TRUSTED_DOCUMENTS_ALLOW_STAFF is on).' : '.'),
      ...clients.map((client) =>
        h(
          'section',
          { key: client, className: 'persisted-client' },
          h('h3', null, client),
          h(
            'ul',
            null,
            ...operations
              .filter((operation) => operation.client === client)
              .map((operation) =>
                h(
                  'li',
                  { key: operation.id, 'data-operation': operation.name },
                  h('div', { className: 'persisted-name' }, h('strong', null, operation.name), ' ', h('span', { className: 'persisted-type' }, operation.type)),
                  h('code', { className: 'persisted-id', title: operation.id }, `sha256:${operation.id.slice(0, 12)}…`),
                  h(
                    'div',
                    { className: 'persisted-actions' },
                    h('button', { type: 'button', className: 'graphiql-button', onClick: () => open(operation, false) }, 'Open'),
                    h('button', { type: 'button', className: 'graphiql-button', onClick: () => open(operation, true), 'aria-label': `Run ${operation.name} by id` }, 'Run by id'),
                  ),
                ),
              ),
          ),
        ),
      ),
    )
  }
  return { title: 'Persisted operations', icon, content: Content }
}
