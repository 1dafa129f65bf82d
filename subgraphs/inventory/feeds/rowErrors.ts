/** Why a row of a feed fails, with what it means: data in the result of applyMapping, never thrown. */
export const ROW_ERROR_CODES = {
  MALFORMED_ROW: 'the record could not be read as a row (more fields than the header, a JSON item that is not an object)',
  MISSING_VALUE: 'a mapped column is empty on this row',
  UNKNOWN_SKU: 'the SKU is not one of ours',
  UNKNOWN_LOCATION: 'the location (or the location the partner\'s code maps to) is not one of ours',
  INVALID_QUANTITY: 'the quantity is not a number, is negative, is not a whole number of units after conversion, or has a unit or pack size that does not convert',
  INVALID_DATE: 'the timestamp does not read in the mapping\'s format, or is no real date',
  INVALID_QUANTITY_NAME: 'the stock state is not in the mapping, or is one a snapshot may not set (COMMITTED, RESERVED, INCOMING)',
  DUPLICATE_LEVEL: 'the snapshot already gave this SKU at this location (state and lot alike) on an earlier row',
  CONFLICTING_QUANTITIES: 'the snapshot gives both ON_HAND and AVAILABLE for one SKU at one location',
  ON_HAND_BELOW_HELD: 'the ON_HAND reported is below the units committed, reserved or set aside there, so AVAILABLE would go negative',
  LOCATION_NOT_PERMITTED: 'the row is at a location the sender\'s token (its `locations` claim) does not cover',
  ITEM_NOT_STOCKED_AT_LOCATION: 'the SKU and location are ours, but the item has no stock level at that location',
  INSUFFICIENT_STOCK: 'the shipped units would take the level\'s COMMITTED (for one of our orders) or AVAILABLE below zero',
} as const

export type RowErrorCode = keyof typeof ROW_ERROR_CODES

/** One reason one row fails; a row may fail for several reasons, each reported. */
export interface RowError {
  /** The data row (1-based, header not counted), as in FeedRow. */
  readonly row: number
  /** The file's line the row starts on (CSV), null for JSON. */
  readonly line: number | null
  /** The column at fault, when one is. */
  readonly column: string | null
  readonly code: RowErrorCode
  readonly reason: string
}
