import type { Config } from '../../platform/config.ts'
import type { Database } from '../../platform/db.ts'
import type { Viewer } from '../../platform/viewer.ts'
import type { InventoryClient } from './inventoryClient.ts'
import type { Loaders } from './loaders.ts'

export interface Context {
  viewer: Viewer
  db: Database
  config: Readonly<Config>
  loaders: Loaders
  /** Stock reservation at checkout, the one synchronous call to another subgraph. */
  inventory: InventoryClient
}
