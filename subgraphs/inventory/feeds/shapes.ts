/**
 * Our identifiers' shapes, the strongest evidence a column holds them: SKUs as the catalog mints
 * them (`APP-0002-M`: category code, product number, option value), location ids (`loc_wh_eu`),
 * order ids (`ord_0042`).
 */
export const OUR_SKU = /^[A-Z]{3}-\d{4}-[A-Z0-9]+$/
export const OUR_LOCATION_ID = /^loc_[a-z0-9_]+$/
export const OUR_ORDER_ID = /^ord_[a-z0-9_]+$/

/**
 * A value's shape: runs of letters as `A`, runs of digits as `9`, anything else kept (`ITM-00417`
 * is `A-9`). A partner's own item-number scheme shows as one shape shared by most values.
 */
export function shapeOf(value: string): string {
  return value.replace(/[A-Za-z]+/g, 'A').replace(/\d+/g, '9')
}

/** A GTIN (EAN-8, UPC-A, EAN-13, GTIN-14) with a valid check digit: a barcode, not a SKU. */
export function isGtin(value: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(value)) return false
  let sum = 0
  for (let i = value.length - 2, weight = 3; i >= 0; i--, weight = 4 - weight) sum += Number(value[i]) * weight
  return (10 - (sum % 10)) % 10 === Number(value[value.length - 1])
}
