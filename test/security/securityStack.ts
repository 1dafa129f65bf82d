/**
 * The attack suite's gateway: the real stack, with every edge limit on its production defaults
 * (the functional suites loosen depth and switch rate limits off; these tests do not).
 */
import { loadConfig, type Config } from '../../platform/config.ts'
import { SUBGRAPH_NAMES } from '../../platform/subgraphRegistry.ts'
import { startStack, type Stack, type StackOptions } from '../stack.ts'

export const defaults: Readonly<Config> = loadConfig({ NODE_ENV: 'test' })

/** The gateway settings under attack: the defaults, plus what a test changes. */
export function edgeDefaults(overrides: Partial<Config> = {}): Partial<Config> {
  return {
    limits: defaults.limits,
    rateLimit: defaults.rateLimit,
    anomaly: defaults.anomaly,
    maxResponseBytes: defaults.maxResponseBytes,
    requestTimeoutMs: defaults.requestTimeoutMs,
    ...overrides,
  }
}

export function startSecurityStack(options: StackOptions = {}): Promise<Stack> {
  return startStack({ bus: false, ...options, gatewayConfig: edgeDefaults(options.gatewayConfig) })
}

/** A selection nested `levels` times through product → variants → product, as an attacker writes it. */
export function deepProductQuery(levels: number): string {
  let inner = 'sku'
  for (let i = 0; i < levels; i++) inner = `sku product { title variants(first: 5) { nodes { ${inner} } } }`
  return `{ products(first: 10) { nodes { variants(first: 5) { nodes { ${inner} } } } } }`
}

/** No GraphQL request reached any subgraph. */
export const noCalls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, 0]))
