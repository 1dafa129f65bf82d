import type { Config } from '../../platform/config.ts'
import type { Database } from '../../platform/db.ts'
import type { Viewer } from '../../platform/viewer.ts'
import type { Loaders } from './loaders.ts'
import type { StockFeed } from './stockFeed.ts'

export interface Context {
  viewer: Viewer
  db: Database
  config: Readonly<Config>
  loaders: Loaders
  stockFeed: StockFeed
}
