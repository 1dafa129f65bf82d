/**
 * The registry of subgraphs: each one's name and default port, in the order the one-process mode
 * starts them. Config (its ports and URL overrides, the README table), `main.ts`, codegen and the
 * test stack derive from it; `subgraphs/registry.ts` and `supergraph.yaml` are checked against it
 * (test/registry.test.ts). README "Adding a subgraph" has the steps.
 */
export const SUBGRAPH_DEFAULT_PORTS = { catalog: 4001, inventory: 4002, orders: 4003, finance: 4004 } as const
export type SubgraphName = keyof typeof SUBGRAPH_DEFAULT_PORTS
export const SUBGRAPH_NAMES = Object.keys(SUBGRAPH_DEFAULT_PORTS) as readonly SubgraphName[]
