import type { UserError } from '../../platform/userErrors.ts'
import type { CatalogErrorCode } from './generated/resolvers.ts'

/**
 * What the catalog's resolvers resolve from: rows as the stores return them (camelCase aliases,
 * int8 as decimal strings, timestamptz as Date). codegen.json maps the GraphQL types to these.
 */
export type ProductStatus = 'DRAFT' | 'ACTIVE' | 'ARCHIVED'

export interface ProductOptionModel {
  readonly name: string
  readonly values: string[]
}

export interface SelectedOptionModel {
  readonly name: string
  readonly value: string
}

export interface ProductModel {
  readonly id: string
  readonly handle: string
  readonly title: string
  readonly description: string | null
  readonly status: ProductStatus
  readonly options: ProductOptionModel[]
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface VariantModel {
  readonly id: string
  readonly sku: string
  readonly productId: string
  /** Carried along so that visibility is decided without loading the product. */
  readonly productStatus: ProductStatus
  readonly title: string
  readonly position: number
  readonly barcode: string | null
  readonly selectedOptions: SelectedOptionModel[]
}

/** A variant or price as written: the product's status is read with it, never stored on it. */
export type Written<Model extends { readonly productStatus: ProductStatus }> = Omit<Model, 'productStatus'>

export interface PriceModel {
  readonly id: string
  readonly variantId: string
  readonly productStatus: ProductStatus
  readonly currency: string
  /** minor units, int8 as a decimal string */
  readonly amount: string
  readonly compareAtAmount: string | null
  readonly channelId: string | null
  readonly taxIncluded: boolean
  readonly validFrom: Date | null
  readonly validUntil: Date | null
}

export interface CategoryModel {
  readonly id: string
  readonly handle: string
  readonly name: string
  readonly parentId: string | null
  readonly position: number
}

/** Lowest and highest effective price over a product's variants, in minor units. */
export interface PriceRangeModel {
  readonly currency: string
  readonly min: string
  readonly max: string
}

export type CatalogUserErrorModel = UserError<CatalogErrorCode>

/** The mutation's result: ids only (it is stored as JSON for idempotent replay). */
export interface VariantPricesSetModel {
  readonly variantId: string | null
  readonly userErrors: readonly CatalogUserErrorModel[]
}
