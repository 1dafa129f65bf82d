import { fileURLToPath } from 'node:url'
import type { SubgraphDefinition } from '../../platform/subgraph.ts'
import { buildFinanceApp } from './app.ts'
import { seedFinance } from './seed.ts'

export const finance: SubgraphDefinition = {
  name: 'finance',
  migrationsDir: fileURLToPath(new URL('./migrations/', import.meta.url)),
  seed: seedFinance,
  buildApp: buildFinanceApp,
}
