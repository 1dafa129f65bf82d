/**
 * The replicas of one subgraph (`SUBGRAPH_<NAME>_URL` takes a comma-separated list): calls go
 * round-robin to the replicas believed up. A replica whose call failed at the transport level
 * (refused, cut, timed out, 5xx) is set aside and its `/healthz` checked every `healthCheckMs`
 * until it answers 200; then it takes calls again. When every replica is set aside, calls still
 * go to them in turn (a wrong belief must not stop traffic for good).
 */
export interface ReplicaSetOptions {
  /** How often a set-aside replica's health is checked (default 1 s). */
  readonly healthCheckMs?: number
  /** Whether the replica at `url` answers its health check (default: GET /healthz is 200 within 1 s). */
  readonly healthy?: (url: string) => Promise<boolean>
  /** Told when a replica is set aside or comes back. */
  readonly onChange?: (url: string, up: boolean) => void
}

export class ReplicaSet {
  private next = 0
  private readonly down = new Set<string>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly healthy: (url: string) => Promise<boolean>

  constructor(
    readonly urls: readonly string[],
    private readonly options: ReplicaSetOptions = {},
  ) {
    if (urls.length === 0) throw new Error('a subgraph needs at least one URL')
    this.healthy = options.healthy ?? healthz
  }

  /** The replica for the next attempt: the next one up in rotation not in `tried`; else the next not in `tried`; else the next. */
  pick(tried: ReadonlySet<string> = new Set()): string {
    const n = this.urls.length
    for (const acceptable of [(url: string) => !this.down.has(url) && !tried.has(url), (url: string) => !tried.has(url), () => true]) {
      for (let i = 0; i < n; i++) {
        const url = this.urls[(this.next + i) % n]!
        if (acceptable(url)) {
          this.next = (this.next + i + 1) % n
          return url
        }
      }
    }
    return this.urls[0]!
  }

  /** The replica failed a call: set it aside until its health check passes. */
  failed(url: string): void {
    if (this.urls.length < 2 || this.down.has(url)) return
    this.down.add(url)
    this.options.onChange?.(url, false)
    this.watch(url)
  }

  /** The replica answered: it is up (a call may succeed before its health check does). */
  succeeded(url: string): void {
    if (this.down.delete(url)) this.options.onChange?.(url, true)
  }

  /** Replicas believed up now. */
  upCount(): number {
    return this.urls.length - this.down.size
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }

  private watch(url: string): void {
    if (this.timers.has(url)) return
    const check = async () => {
      this.timers.delete(url)
      if (!this.down.has(url)) return
      if (await this.healthy(url).catch(() => false)) {
        this.succeeded(url)
        return
      }
      this.watch(url)
    }
    const timer = setTimeout(() => void check(), this.options.healthCheckMs ?? 1000)
    timer.unref()
    this.timers.set(url, timer)
  }
}

/** GET /healthz next to the replica's GraphQL path answers 200 within a second. */
async function healthz(url: string): Promise<boolean> {
  const response = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(1000) })
  await response.arrayBuffer()
  return response.ok
}
