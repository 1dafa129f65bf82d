/**
 * Retries as a share of calls: every first attempt earns `ratio` of a retry (up to `maxTokens`
 * saved), every retry spends one. Under a partial failure retries are made; when a dependency is
 * failing for everyone, retries stop at about `ratio` of the traffic instead of multiplying it.
 */
export class RetryBudget {
  private tokens: number

  constructor(
    private readonly ratio = 0.2,
    private readonly maxTokens = 10,
  ) {
    this.tokens = maxTokens
  }

  /** A first attempt was made. */
  deposit(): void {
    this.tokens = Math.min(this.maxTokens, this.tokens + this.ratio)
  }

  /** Whether a retry may be made now (and spends it). */
  withdraw(): boolean {
    // with a tolerance: ten deposits of 0.2 sum to 1.9999999999999998
    if (this.tokens < 1 - 1e-9) return false
    this.tokens = Math.max(0, this.tokens - 1)
    return true
  }
}

/** Exponential backoff with full jitter: a random delay up to `baseMs` × 2^(attempt − 1), capped. */
export const jitteredBackoff = (attempt: number, baseMs = 25, capMs = 1000, random: () => number = Math.random): number =>
  Math.round(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)))
