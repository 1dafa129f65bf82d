import { isStaff, type Viewer } from '../../platform/viewer.ts'
import type { ProductStatus } from './models.ts'

/**
 * Who sees which products. Drafts (and their variants and prices) are staff-only: to anyone else
 * they do not exist. Archived products still resolve by id, handle and entity reference, because
 * old orders point at them, but listings leave them out unless asked for by status.
 */
export const PRODUCT_STATUSES: readonly ProductStatus[] = ['DRAFT', 'ACTIVE', 'ARCHIVED']

export const canSeeProduct = (viewer: Viewer, status: ProductStatus): boolean => status !== 'DRAFT' || isStaff(viewer)

/** The statuses a listing shows: the one asked for if the viewer may see it, else the default. */
export function listedStatuses(viewer: Viewer, requested: ProductStatus | null | undefined): ProductStatus[] {
  if (requested) return canSeeProduct(viewer, requested) ? [requested] : []
  return isStaff(viewer) ? [...PRODUCT_STATUSES] : ['ACTIVE']
}
