import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { CONNECTION_INIT_BODY, signViewer, VIEWER_HEADER, type Viewer } from '../../platform/viewer.ts'

/**
 * The gateway's graphql-ws connections to subgraphs: one per (subgraph URL, visibility), shared by
 * every upstream subscription with that visibility, opened lazily and disposed with its last user.
 * Each connection authenticates with the viewer signed afresh at every (re)connect — a signature
 * is only fresh for a minute. The gateway retries subscriptions itself (from their cursors), so the
 * client does not.
 */
export class UpstreamClients {
  private readonly clients = new Map<string, { client: Client; users: number }>()

  constructor(
    private readonly signingSecret: string,
    /** A connection (re)opened: its subscriptions are no longer failing. */
    private readonly onConnected: (clientKey: string) => void,
  ) {}

  acquire(url: string, viewer: Viewer, visibilityKey: string): { client: Client; clientKey: string } {
    const clientKey = `${url}\u0000${visibilityKey}`
    let entry = this.clients.get(clientKey)
    if (!entry) {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: true,
        retryAttempts: 0,
        keepAlive: 10_000,
        // connection_init has no body: the signature covers the connection_init marker instead
        connectionParams: () => ({ headers: { [VIEWER_HEADER]: signViewer(viewer, this.signingSecret, CONNECTION_INIT_BODY) } }),
      })
      client.on('connected', () => this.onConnected(clientKey))
      entry = { client, users: 0 }
      this.clients.set(clientKey, entry)
    }
    entry.users++
    return { client: entry.client, clientKey }
  }

  release(clientKey: string): void {
    const entry = this.clients.get(clientKey)
    if (!entry || --entry.users > 0) return
    this.clients.delete(clientKey)
    void entry.client.dispose()
  }

  async disposeAll(): Promise<void> {
    const all = [...this.clients.values()]
    this.clients.clear()
    await Promise.all(all.map(({ client }) => client.dispose()))
  }
}
