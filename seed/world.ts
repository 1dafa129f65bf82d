/**
 * The demo store, as plain data, generated deterministically (same seed, same store). Each
 * subgraph's seed writes only its own part of it into its own schema; this module is the one
 * place where the parts agree (the SKUs catalog sells are the SKUs inventory stocks and orders
 * reference; order totals are what finance invoices and posts to the ledger).
 */
import { taxAmountOf } from '../platform/money.ts'
import { seededRandom } from '../platform/random.ts'

export interface WorldCategory { id: string; handle: string; name: string; parentId: string | null; position: number }
export interface WorldPrice {
  id: string; sku: string; currency: string; amount: bigint; compareAtAmount: bigint | null
  taxIncluded: boolean; channelId: string | null; validFrom: Date | null; validUntil: Date | null
}
export interface WorldVariant { id: string; sku: string; productId: string; title: string; position: number; barcode: string; selectedOptions: { name: string; value: string }[] }
export interface WorldProduct {
  id: string; handle: string; title: string; description: string; status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED'
  categoryIds: string[]; options: { name: string; values: string[] }[]; createdAt: Date; updatedAt: Date
}
export interface WorldLocation { id: string; name: string; type: 'WAREHOUSE' | 'STORE' | 'THIRD_PARTY_LOGISTICS' | 'DROPSHIP'; active: boolean; fulfillsOnlineOrders: boolean; countryCode: string }
/** Quantities per state at one location; ON_HAND is derived, never stored. */
export interface WorldStockLevel {
  sku: string; locationId: string
  available: number; committed: number; reserved: number; damaged: number; safetyStock: number; qualityControl: number; incoming: number
}
export interface WorldReservation { id: string; sku: string; locationId: string; quantity: number; referenceDocumentUri: string; expiresAt: Date }
export interface WorldTaxRate { countryCode: string; title: string; rate: string; pricesIncludeTax: boolean }
export interface WorldCustomer { id: string; email: string; name: string; countryCode: string; currency: string }
export interface WorldCartLine { id: string; sku: string; quantity: number }
export interface WorldCart { id: string; customerId: string; currency: string; countryCode: string; lines: WorldCartLine[]; createdAt: Date; expiresAt: Date }
export interface WorldTaxLine { title: string; rate: string; amount: bigint }
export interface WorldLineItem {
  id: string; sku: string; title: string; quantity: number; unitPrice: bigint; taxLines: WorldTaxLine[]; total: bigint
  /** inventory: where the units were committed */ locationId: string; fulfilledQuantity: number
}
export interface WorldOrder {
  id: string; number: string; customerId: string; currency: string; countryCode: string
  status: 'OPEN' | 'CANCELLED' | 'CLOSED'; fulfillmentStatus: 'UNFULFILLED' | 'FULFILLED'
  financialStatus: 'AUTHORIZED' | 'PAID' | 'VOIDED'
  placedAt: Date; lineItems: WorldLineItem[]; subtotal: bigint; taxTotal: bigint; shippingTotal: bigint; discountTotal: bigint; total: bigint
}
export interface World {
  categories: WorldCategory[]; products: WorldProduct[]; variants: WorldVariant[]; prices: WorldPrice[]
  locations: WorldLocation[]; stockLevels: WorldStockLevel[]; reservations: WorldReservation[]
  taxRates: WorldTaxRate[]; customers: WorldCustomer[]; carts: WorldCart[]; orders: WorldOrder[]
}

/** The clock the demo store was generated at: fixed, so the store is the same on every machine. */
export const WORLD_EPOCH = new Date('2026-10-01T00:00:00Z')
const DAY = 86_400_000

const TREE: { name: string; code: string; children: string[]; options: { name: string; values: string[] }[]; nouns: string[]; basePrice: [number, number] }[] = [
  { name: 'Apparel', code: 'APP', children: ['T-Shirts', 'Hoodies', 'Jackets'], options: [{ name: 'Size', values: ['S', 'M', 'L', 'XL'] }], nouns: ['Tee', 'Hoodie', 'Jacket', 'Crewneck', 'Polo'], basePrice: [1500, 12000] },
  { name: 'Footwear', code: 'FTW', children: ['Sneakers', 'Boots', 'Sandals'], options: [{ name: 'Size', values: ['40', '41', '42', '43', '44'] }], nouns: ['Runner', 'Trail Boot', 'Sneaker', 'Sandal', 'Loafer'], basePrice: [4000, 18000] },
  { name: 'Home', code: 'HOM', children: ['Kitchen', 'Bedding', 'Decor'], options: [{ name: 'Color', values: ['Slate', 'Sand', 'Forest', 'Clay'] }], nouns: ['Mug', 'Throw', 'Skillet', 'Vase', 'Pillow'], basePrice: [1200, 9000] },
  { name: 'Electronics', code: 'ELC', children: ['Audio', 'Chargers', 'Accessories'], options: [{ name: 'Color', values: ['Black', 'White', 'Blue'] }], nouns: ['Headphones', 'Charger', 'Speaker', 'Cable', 'Power Bank'], basePrice: [1900, 29900] },
  { name: 'Outdoors', code: 'OUT', children: ['Camping', 'Hiking', 'Cycling'], options: [{ name: 'Size', values: ['Small', 'Medium', 'Large'] }], nouns: ['Tent', 'Backpack', 'Bottle', 'Lamp', 'Helmet'], basePrice: [1500, 35000] },
]
const ADJECTIVES = ['Classic', 'Everyday', 'Alpine', 'Harbor', 'Summit', 'Urban', 'Coastal', 'Nordic', 'Trail', 'Studio', 'Meadow', 'Granite']

export const LOCATIONS: WorldLocation[] = [
  { id: 'loc_wh_east', name: 'East Coast Warehouse', type: 'WAREHOUSE', active: true, fulfillsOnlineOrders: true, countryCode: 'US' },
  { id: 'loc_wh_eu', name: 'Rotterdam Fulfillment Center', type: 'THIRD_PARTY_LOGISTICS', active: true, fulfillsOnlineOrders: true, countryCode: 'NL' },
  { id: 'loc_store_nyc', name: 'New York Flagship Store', type: 'STORE', active: true, fulfillsOnlineOrders: false, countryCode: 'US' },
]

export const TAX_RATES: WorldTaxRate[] = [
  { countryCode: 'US', title: 'Sales tax', rate: '0.0825', pricesIncludeTax: false },
  { countryCode: 'DE', title: 'VAT', rate: '0.19', pricesIncludeTax: true },
  { countryCode: 'FR', title: 'VAT', rate: '0.20', pricesIncludeTax: true },
  { countryCode: 'NL', title: 'VAT', rate: '0.21', pricesIncludeTax: true },
  { countryCode: 'GB', title: 'VAT', rate: '0.20', pricesIncludeTax: true },
]

const pad = (n: number, width = 4) => String(n).padStart(width, '0')

export function buildWorld(seed = 20261001): World {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))

  const categories: WorldCategory[] = []
  TREE.forEach((top, i) => {
    const topId = `cat_${top.code.toLowerCase()}`
    categories.push({ id: topId, handle: top.name.toLowerCase(), name: top.name, parentId: null, position: i })
    top.children.forEach((child, j) => {
      const handle = child.toLowerCase().replace(/[^a-z0-9]+/g, '-')
      categories.push({ id: `${topId}_${handle.replace(/-/g, '_')}`, handle, name: child, parentId: topId, position: j })
    })
  })

  const products: WorldProduct[] = []
  const variants: WorldVariant[] = []
  const prices: WorldPrice[] = []
  const PRODUCTS_PER_TOP = 44 // 5 x 44 = 220 products
  let productNo = 0
  for (const top of TREE) {
    const topId = `cat_${top.code.toLowerCase()}`
    const children = categories.filter((c) => c.parentId === topId)
    for (let i = 0; i < PRODUCTS_PER_TOP; i++) {
      productNo++
      const noun = top.nouns[i % top.nouns.length] as string
      const adjective = ADJECTIVES[Math.floor(i / top.nouns.length) % ADJECTIVES.length] as string
      const title = `${adjective} ${noun} ${pad(productNo, 3)}`
      const handle = title.toLowerCase().replace(/[^a-z0-9]+/g, '-')
      const id = `prod_${pad(productNo)}`
      const status = productNo % 23 === 0 ? 'ARCHIVED' : productNo % 17 === 0 ? 'DRAFT' : 'ACTIVE'
      const child = children[i % children.length] as WorldCategory
      const optionDef = top.options[0] as { name: string; values: string[] }
      const count = Math.min(optionDef.values.length, 3 + (productNo % 2)) // 3 or 4 variants
      const values = optionDef.values.slice(0, count)
      const createdAt = new Date(WORLD_EPOCH.getTime() - (400 - productNo) * DAY)
      products.push({
        id, handle, title, status, categoryIds: [topId, child.id], options: [{ name: optionDef.name, values }],
        description: `The ${title.toLowerCase()}: ${adjective.toLowerCase()} design, made to last. Part of our ${child.name.toLowerCase()} range.`,
        createdAt, updatedAt: new Date(createdAt.getTime() + (productNo % 30) * DAY),
      })
      const usd = Math.round(between(top.basePrice[0], top.basePrice[1]) / 100) * 100 - 1
      values.forEach((value, v) => {
        const sku = `${top.code}-${pad(productNo)}-${value.toUpperCase().replace(/[^A-Z0-9]/g, '')}`
        const variantId = `var_${pad(productNo)}_${v + 1}`
        variants.push({
          id: variantId, sku, productId: id, title: value, position: v,
          barcode: `0${pad(7000000 + productNo * 10 + v, 11)}`, selectedOptions: [{ name: optionDef.name, value }],
        })
        const surcharge = v >= 3 ? 500 : 0
        const onSale = productNo % 9 === 0
        const usdAmount = BigInt(usd + surcharge)
        prices.push({
          id: `price_${variantId}_usd`, sku, currency: 'USD', amount: usdAmount, compareAtAmount: onSale ? (usdAmount * 5n) / 4n : null,
          taxIncluded: false, channelId: null, validFrom: null, validUntil: null,
        })
        // EUR list prices include VAT and end in .95
        const eurAmount = (BigInt(Math.round(((usd + surcharge) * 1.1) / 100)) * 100n) - 5n
        prices.push({
          id: `price_${variantId}_eur`, sku, currency: 'EUR', amount: eurAmount, compareAtAmount: onSale ? (eurAmount * 5n) / 4n : null,
          taxIncluded: true, channelId: null, validFrom: null, validUntil: null,
        })
        // a scheduled price change, for price(at:)
        if (productNo % 10 === 0) {
          prices.push({
            id: `price_${variantId}_usd_next`, sku, currency: 'USD', amount: usdAmount + 300n, compareAtAmount: null, taxIncluded: false,
            channelId: null, validFrom: new Date(WORLD_EPOCH.getTime() + 365 * DAY), validUntil: null,
          })
        }
      })
    }
  }

  const customers: WorldCustomer[] = Array.from({ length: 24 }, (_, i) => {
    const eu = i % 3 === 2
    return {
      id: `c_${1001 + i}`, email: `customer${1001 + i}@example.com`, name: `Customer ${1001 + i}`,
      countryCode: eu ? (i % 2 === 0 ? 'DE' : 'FR') : 'US', currency: eu ? 'EUR' : 'USD',
    }
  })

  const sellable = variants.filter((v) => products.find((p) => p.id === v.productId)?.status === 'ACTIVE')
  const priceOf = (sku: string, currency: string) =>
    prices.find((p) => p.sku === sku && p.currency === currency && p.validFrom === null) as WorldPrice

  // Past orders: line snapshots, tax, totals. Finance invoices and posts exactly these totals.
  const orders: WorldOrder[] = []
  for (let n = 0; n < 80; n++) {
    const customer = customers[n % customers.length] as WorldCustomer
    const tax = TAX_RATES.find((t) => t.countryCode === customer.countryCode) as WorldTaxRate
    const lineCount = between(1, 3)
    const lineItems: WorldLineItem[] = []
    const used = new Set<string>()
    for (let l = 0; l < lineCount; l++) {
      let variant = pick(sellable)
      while (used.has(variant.sku)) variant = pick(sellable)
      used.add(variant.sku)
      const price = priceOf(variant.sku, customer.currency)
      const product = products.find((p) => p.id === variant.productId) as WorldProduct
      const quantity = between(1, 3)
      const lineTotal = price.amount * BigInt(quantity)
      const taxAmount = taxAmountOf(lineTotal, tax.rate, tax.pricesIncludeTax)
      lineItems.push({
        id: `li_${pad(n + 1)}_${l + 1}`, sku: variant.sku, title: `${product.title} - ${variant.title}`, quantity,
        unitPrice: price.amount, taxLines: [{ title: tax.title, rate: tax.rate, amount: taxAmount }], total: lineTotal,
        locationId: customer.currency === 'EUR' ? 'loc_wh_eu' : 'loc_wh_east', fulfilledQuantity: 0,
      })
    }
    const subtotal = lineItems.reduce((sum, li) => sum + li.total, 0n)
    const taxTotal = lineItems.reduce((sum, li) => sum + (li.taxLines[0]?.amount ?? 0n), 0n)
    const shippingTotal = 0n
    const total = subtotal + (tax.pricesIncludeTax ? 0n : taxTotal) + shippingTotal
    const age = 80 - n // days ago
    const cancelled = n % 19 === 7
    const fulfilled = !cancelled && age > 10
    for (const li of lineItems) li.fulfilledQuantity = fulfilled ? li.quantity : 0
    orders.push({
      id: `ord_${pad(n + 1)}`, number: `#${1000 + n + 1}`, customerId: customer.id, currency: customer.currency, countryCode: customer.countryCode,
      status: cancelled ? 'CANCELLED' : fulfilled ? 'CLOSED' : 'OPEN', fulfillmentStatus: fulfilled ? 'FULFILLED' : 'UNFULFILLED',
      financialStatus: cancelled ? 'VOIDED' : fulfilled ? 'PAID' : 'AUTHORIZED',
      placedAt: new Date(WORLD_EPOCH.getTime() - age * DAY + n * 3_600_000), lineItems, subtotal, taxTotal, shippingTotal, discountTotal: 0n, total,
    })
  }

  // Open carts for some customers (not reserved: stock is reserved at checkout).
  const carts: WorldCart[] = customers.slice(0, 10).map((customer, i) => ({
    id: `cart_${pad(i + 1)}`, customerId: customer.id, currency: customer.currency, countryCode: customer.countryCode,
    lines: Array.from({ length: 1 + (i % 3) }, (_, l) => ({ id: `cl_${pad(i + 1)}_${l + 1}`, sku: (sellable[(i * 37 + l * 11) % sellable.length] as WorldVariant).sku, quantity: 1 + (l % 2) })),
    createdAt: new Date(WORLD_EPOCH.getTime() - (i + 1) * 3_600_000),
    expiresAt: new Date(WORLD_EPOCH.getTime() + 3650 * DAY),
  }))

  // Active reservations (e.g. a partner's hold) so that RESERVED is populated.
  const reservations: WorldReservation[] = sellable.slice(0, 12).map((variant, i) => ({
    id: `res_${pad(i + 1)}`, sku: variant.sku, locationId: i % 2 ? 'loc_wh_eu' : 'loc_wh_east', quantity: 1 + (i % 3),
    referenceDocumentUri: `gid://partners/Hold/${i + 1}`, expiresAt: new Date(WORLD_EPOCH.getTime() + 3650 * DAY),
  }))

  // Stock: every state populated somewhere; COMMITTED equals unfulfilled order lines; RESERVED equals reservations.
  const stockLevels: WorldStockLevel[] = []
  for (const variant of variants) {
    for (const location of LOCATIONS) {
      if (location.id === 'loc_store_nyc' && !variant.sku.startsWith('APP') && !variant.sku.startsWith('FTW')) continue
      const k = variant.sku.length + variants.indexOf(variant)
      const outOfStock = k % 29 === 0
      stockLevels.push({
        sku: variant.sku, locationId: location.id,
        available: outOfStock ? 0 : between(0, 3) === 0 ? between(1, 5) : between(10, 120),
        committed: 0, reserved: 0,
        damaged: k % 13 === 0 ? between(1, 3) : 0,
        safetyStock: location.type === 'WAREHOUSE' ? 2 : 0,
        qualityControl: k % 17 === 0 ? between(1, 4) : 0,
        incoming: k % 7 === 0 ? between(20, 60) : 0,
      })
    }
  }
  const level = (sku: string, locationId: string) => {
    let found = stockLevels.find((s) => s.sku === sku && s.locationId === locationId)
    if (!found) {
      found = { sku, locationId, available: 0, committed: 0, reserved: 0, damaged: 0, safetyStock: 0, qualityControl: 0, incoming: 0 }
      stockLevels.push(found)
    }
    return found
  }
  for (const order of orders) {
    if (order.status !== 'OPEN' || order.fulfillmentStatus !== 'UNFULFILLED') continue
    for (const li of order.lineItems) level(li.sku, li.locationId).committed += li.quantity
  }
  for (const r of reservations) level(r.sku, r.locationId).reserved += r.quantity

  return { categories, products, variants, prices, locations: LOCATIONS, stockLevels, reservations, taxRates: TAX_RATES, customers, carts, orders }
}
