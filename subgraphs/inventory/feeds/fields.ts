import type { ColumnType } from './profile.ts'

export const FEED_KINDS = ['stock-snapshot', 'shipment-confirmation'] as const
export type FeedKind = (typeof FEED_KINDS)[number]

export const CANONICAL_FIELDS = ['sku', 'locationId', 'quantity', 'asOf', 'quantityName', 'lot', 'shippedAt', 'reference', 'orderId'] as const
export type CanonicalField = (typeof CANONICAL_FIELDS)[number]

/** One canonical field of a feed kind: whether a file must carry it, and how headers name it. */
export interface FieldSpec {
  readonly field: CanonicalField
  readonly required: boolean
  /** Header phrases (in names.ts words) that name the field, with how surely (1 = it is this field). */
  readonly synonyms: readonly (readonly [phrase: string, weight: number])[]
  /** How well a column of each type can hold the field (0 = not at all); absent types are 0. */
  readonly types: Readonly<Partial<Record<ColumnType, number>>>
  /** The field may come from the mapping instead of a column (one warehouse, one state for the file). */
  readonly constant: boolean
}

/** Phrases as a comma-separated list, each naming the field for sure (`strong`) or maybe (`weak`). */
const strong = (phrases: string) => weak(1, phrases)
const weak = (weight: number, phrases: string) => phrases.split(',').map((p) => [p.trim(), weight] as const)

const IDENTIFIER = { code: 1, integer: 0.8, text: 0.6 } as const
const TIMESTAMP = { datetime: 1, date: 0.9 } as const

const SKU: FieldSpec = {
  field: 'sku', required: true, constant: false, types: { code: 1, integer: 0.7, text: 0.5 },
  synonyms: [
    ...strong('sku, sku code, item, item no, item number, item code, item id, article, article no, article number, product code, product sku, variant sku, seller sku, merchant sku, part no, part number, material, material number'),
    ...weak(0.7, 'product id, product, style, model'),
    // a barcode is not a SKU: the column is found, and the review says it needs a lookup
    ...weak(0.6, 'ean, upc, gtin, barcode'),
  ],
}

const LOCATION: FieldSpec = {
  field: 'locationId', required: true, constant: true, types: { code: 1, text: 0.8, integer: 0.7 },
  synonyms: [
    ...strong('location, location id, location code, warehouse, warehouse code, warehouse id, whse, wh, site, site code, site id, dc, distribution center, facility, facility code, fulfillment center, fulfilment centre, fc, store, store code, depot, plant, node'),
    ...weak(0.7, 'ship from, origin, from location'),
  ],
}

const QUANTITY: FieldSpec = {
  field: 'quantity', required: true, constant: false, types: { integer: 1, decimal: 0.9 },
  synonyms: [
    ...strong('quantity, qty, on hand, onhand, qty on hand, units, stock, stock level, stock qty, avail, available, sellable, count, balance, inventory, soh, pieces, pcs'),
    ...strong('qty shipped, quantity shipped, shipped qty, shipped quantity, units shipped, ship qty'),
    ...weak(0.6, 'cases, cartons, each, amount'),
  ],
}

const AS_OF: FieldSpec = {
  field: 'asOf', required: true, constant: false, types: TIMESTAMP,
  synonyms: [
    ...strong('as of, snapshot at, snapshot date, snapshot time, snapshot, updated, updated at, last updated, modified, last modified, stock date, inventory date, count date, counted at, report date, timestamp, datetime'),
    ...weak(0.7, 'date, time, ts, at'),
  ],
}

const QUANTITY_NAME: FieldSpec = {
  field: 'quantityName', required: false, constant: true, types: { code: 1, text: 0.9 },
  synonyms: strong('quantity name, quantity type, qty type, status, stock status, inventory status, state, stock state, condition, disposition, stock type, bucket'),
}

const LOT: FieldSpec = {
  field: 'lot', required: false, constant: false, types: IDENTIFIER,
  synonyms: strong('lot, lot no, lot number, lot code, lot id, batch, batch no, batch number, batch code'),
}

const SHIPPED_AT: FieldSpec = {
  field: 'shippedAt', required: true, constant: false, types: TIMESTAMP,
  synonyms: [
    ...strong('shipped at, shipped, ship date, ship time, ship ts, shipped date, shipment date, dispatch date, dispatched at, dispatched, despatch date, confirmed at, event time, timestamp, datetime'),
    ...weak(0.7, 'date, time, ts, at'),
  ],
}

const REFERENCE: FieldSpec = {
  field: 'reference', required: true, constant: false, types: IDENTIFIER,
  synonyms: [
    ...strong('reference, ref, shipment, shipment id, shipment no, shipment number, shipment ref, asn, asn no, asn number, tracking, tracking no, tracking number, consignment, consignment no, delivery, delivery no, delivery number, dispatch no, despatch no, waybill, confirmation, confirmation no'),
  ],
}

const ORDER_ID: FieldSpec = {
  field: 'orderId', required: false, constant: false, types: IDENTIFIER,
  synonyms: strong('order, order id, order no, order number, order ref, order reference, customer order, sales order, so'),
}

/** The canonical fields of each feed kind, required ones first. */
export const FEED_FIELDS: Readonly<Record<FeedKind, readonly FieldSpec[]>> = Object.freeze({
  'stock-snapshot': [SKU, LOCATION, QUANTITY, AS_OF, QUANTITY_NAME, LOT],
  'shipment-confirmation': [SKU, LOCATION, QUANTITY, SHIPPED_AT, REFERENCE, ORDER_ID],
})

/** Header phrases of a pack size column: not a canonical field, the factor of a quantity in cases. */
export const PACK_SIZE_PHRASES: readonly string[] = ['pack size', 'case pack', 'casepack', 'case qty', 'case quantity', 'case size', 'units per case', 'units per pack', 'pack qty', 'pack quantity', 'inner pack', 'per case', 'upc per case']
