import { fileURLToPath } from 'node:url'
import type { SubgraphDefinition } from '../../platform/subgraph.ts'
import { buildInventoryApp } from './app.ts'
import { seedInventory } from './seed.ts'

export const inventory: SubgraphDefinition = {
  name: 'inventory',
  migrationsDir: fileURLToPath(new URL('./migrations/', import.meta.url)),
  seed: seedInventory,
  buildApp: buildInventoryApp,
}
