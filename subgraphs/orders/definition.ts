import { fileURLToPath } from 'node:url'
import type { SubgraphDefinition } from '../../platform/subgraph.ts'
import { buildOrdersApp } from './app.ts'
import { seedOrders } from './seed.ts'

export const orders: SubgraphDefinition = {
  name: 'orders',
  migrationsDir: fileURLToPath(new URL('./migrations/', import.meta.url)),
  seed: seedOrders,
  buildApp: buildOrdersApp,
}
