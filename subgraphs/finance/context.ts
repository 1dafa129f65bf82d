import type { Config } from '../../platform/config.ts'
import type { Database } from '../../platform/db.ts'
import type { Viewer } from '../../platform/viewer.ts'
import type { Loaders } from './loaders.ts'
import type { PaymentProvider } from './provider/paymentProvider.ts'

export interface Context {
  viewer: Viewer
  db: Database
  config: Readonly<Config>
  loaders: Loaders
  /** The PSP that captures and refunds (the same one the order-events consumer authorizes with). */
  provider: PaymentProvider
}
