import { fileURLToPath } from 'node:url'
import type { SubgraphDefinition } from '../../platform/subgraph.ts'
import { buildCatalogApp } from './app.ts'
import { seedCatalog } from './seed.ts'

export const catalog: SubgraphDefinition = {
  name: 'catalog',
  migrationsDir: fileURLToPath(new URL('./migrations/', import.meta.url)),
  seed: seedCatalog,
  buildApp: buildCatalogApp,
}
