import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { CartLineModel, CartModel } from '../models.ts'

const CART_COLUMNS = `c.id, c.customer_id as "customerId", c.currency, c.country_code as "countryCode",
  c.created_at as "createdAt", c.expires_at as "expiresAt", c.checked_out_at as "checkedOutAt"`

export async function cartsByIds(db: Queryable, ids: readonly string[]): Promise<CartModel[]> {
  const { rows } = await db.query<CartModel>(`select ${CART_COLUMNS} from orders.carts c where c.id = any($1::text[])`, [ids])
  return rows
}

/**
 * Locks the cart for the rest of the transaction, so that concurrent additions to one cart
 * queue behind each other instead of racing on its lines.
 */
export async function lockCart(tx: Queryable, id: string): Promise<(CartModel & { expired: boolean }) | null> {
  const { rows } = await tx.query<CartModel & { expired: boolean }>(
    `select ${CART_COLUMNS}, coalesce(c.expires_at <= now(), false) as expired from orders.carts c where c.id = $1 for update`,
    [id],
  )
  return rows[0] ?? null
}

export interface NewCart {
  readonly id: string
  readonly customerId: string
  readonly currency: string
  readonly countryCode: string
  readonly lifetimeDays: number
}

export async function insertCart(tx: Queryable, cart: NewCart): Promise<void> {
  await tx.query(
    `insert into orders.carts (id, customer_id, currency, country_code, created_at, expires_at)
     values ($1, $2, $3, $4, now(), now() + make_interval(days => $5))`,
    [cart.id, cart.customerId, cart.currency, cart.countryCode, cart.lifetimeDays],
  )
}

/** A cart as it stands, with its lines (the demo store's). */
export interface CartRow extends Omit<CartModel, 'checkedOutAt'> {
  readonly lines: readonly { readonly id: string; readonly sku: string; readonly quantity: number }[]
}

/** Writes carts and their lines; each cart's lines keep the given order (their `seq`). */
export async function insertCarts(db: Queryable, carts: readonly CartRow[]): Promise<void> {
  await insertRows(db, 'orders.carts', carts, {
    id: 'text', customerId: 'text', currency: 'text', countryCode: 'text', createdAt: 'timestamptz', expiresAt: 'timestamptz',
  })
  const lines = carts.flatMap((c) => c.lines.map((line) => ({ ...line, cartId: c.id })))
  await insertRows(db, 'orders.cart_lines', lines, { id: 'text', cartId: 'text', sku: 'text', quantity: 'int' })
}

export async function updateCartCountry(tx: Queryable, id: string, countryCode: string): Promise<void> {
  await tx.query(`update orders.carts set country_code = $2 where id = $1`, [id, countryCode])
}

/**
 * Lines with their current price in the cart's currency. A line whose sku has no such price (any
 * more) is left out: it cannot be bought, so it is neither shown nor charged.
 */
export async function cartLinesByCartIds(db: Queryable, cartIds: readonly string[]): Promise<CartLineModel[]> {
  const { rows } = await db.query<CartLineModel>(
    `select l.id, l.cart_id as "cartId", l.sku, l.quantity, c.currency, p.amount as "unitPrice", p.tax_included as "taxIncluded"
     from orders.cart_lines l
     join orders.carts c on c.id = l.cart_id
     join orders.catalog_prices p on p.sku = l.sku and p.currency = c.currency
     where l.cart_id = any($1::text[])
     order by l.cart_id, l.seq`,
    [cartIds],
  )
  return rows
}

export interface CartLineAddition {
  readonly id: string
  readonly sku: string
  readonly quantity: number
}

/**
 * Adds lines, merging a sku already in the cart into its line. The quantity ceiling is part of
 * the statement (never read-then-write): a sku whose sum would pass `maxQuantity` is left alone
 * and missing from the returned list.
 */
export async function addCartLines(
  tx: Queryable,
  cartId: string,
  lines: readonly CartLineAddition[],
  maxQuantity: number,
): Promise<string[]> {
  const { rows } = await tx.query<{ sku: string }>(
    `insert into orders.cart_lines (id, cart_id, sku, quantity)
     select id, $1, sku, quantity from unnest($2::text[], $3::text[], $4::int[]) with ordinality as t(id, sku, quantity, n)
     order by n
     on conflict (cart_id, sku) do update set quantity = orders.cart_lines.quantity + excluded.quantity
       where orders.cart_lines.quantity + excluded.quantity <= $5
     returning sku`,
    [cartId, lines.map((l) => l.id), lines.map((l) => l.sku), lines.map((l) => l.quantity), maxQuantity],
  )
  return rows.map((row) => row.sku)
}

/** Every line of a cart as the shopper added it, priced or not, in the order they were added. */
export async function cartLineQuantities(db: Queryable, cartId: string): Promise<{ sku: string; quantity: number }[]> {
  const { rows } = await db.query<{ sku: string; quantity: number }>(
    `select sku, quantity from orders.cart_lines where cart_id = $1 order by seq`,
    [cartId],
  )
  return rows
}

/**
 * Marks the cart checked out, only if no checkout did so first: false when another one won (the
 * conditional update is what keeps one cart from becoming two orders).
 */
export async function markCartCheckedOut(tx: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await tx.query(`update orders.carts set checked_out_at = now() where id = $1 and checked_out_at is null`, [id])
  return rowCount === 1
}
