import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { PriceModel, Written } from '../models.ts'

const PRICE_COLUMNS = `pr.id, pr.variant_id as "variantId", p.status as "productStatus", pr.currency, pr.amount,
  pr.compare_at_amount as "compareAtAmount", pr.channel_id as "channelId", pr.tax_included as "taxIncluded",
  pr.valid_from as "validFrom", pr.valid_until as "validUntil"`
const PRICES_SELECT = `${PRICE_COLUMNS}
  from catalog.prices pr join catalog.variants v on v.id = pr.variant_id join catalog.products p on p.id = v.product_id`

export async function pricesByIds(db: Queryable, ids: readonly string[]): Promise<PriceModel[]> {
  const { rows } = await db.query<PriceModel>(`select ${PRICES_SELECT} where pr.id = any($1::text[])`, [ids])
  return rows
}

/** Where the price of one currency applies: a channel (null: the default price) at an instant. */
export interface PriceSelector {
  readonly currency: string
  readonly channelId: string | null
  readonly at: Date
}

/*
 * The effective price of a variant: valid at `at` ([valid_from, valid_until), null = open), the
 * channel's own price before the default one, and among those the latest start (a scheduled
 * change starting next month takes over from an open-ended list price when it starts).
 * Parameters: $2 currency, $3 channel, $4 instant.
 */
const EFFECTIVE = `
  select distinct on (pr.variant_id) ${PRICES_SELECT}
  where pr.currency = $2::text
    and (pr.channel_id is null or pr.channel_id = $3::text)
    and (pr.valid_from is null or pr.valid_from <= $4::timestamptz)
    and (pr.valid_until is null or pr.valid_until > $4::timestamptz)`
const EFFECTIVE_ORDER = `order by pr.variant_id, pr.channel_id is null, pr.valid_from desc nulls last, pr.id`

export async function effectivePrices(db: Queryable, variantIds: readonly string[], selector: PriceSelector): Promise<PriceModel[]> {
  const { rows } = await db.query<PriceModel>(`${EFFECTIVE} and pr.variant_id = any($1::text[]) ${EFFECTIVE_ORDER}`, [
    variantIds,
    selector.currency,
    selector.channelId,
    selector.at,
  ])
  return rows
}

export interface PriceRangeRow {
  readonly productId: string
  readonly min: string
  readonly max: string
}

/** Lowest and highest effective price over each product's variants (products without any: no row). */
export async function priceRanges(db: Queryable, productIds: readonly string[], selector: PriceSelector): Promise<PriceRangeRow[]> {
  const { rows } = await db.query<PriceRangeRow>(
    `with effective as (${EFFECTIVE} and v.product_id = any($1::text[]) ${EFFECTIVE_ORDER})
     select v.product_id as "productId", min(e.amount) as min, max(e.amount) as max
     from effective e join catalog.variants v on v.id = e."variantId"
     group by v.product_id`,
    [productIds, selector.currency, selector.channelId, selector.at],
  )
  return rows
}

export async function insertPrices(db: Queryable, prices: readonly Written<PriceModel>[]): Promise<void> {
  await insertRows(db, 'catalog.prices', prices, {
    id: 'text', variantId: 'text', currency: 'text', amount: 'bigint', compareAtAmount: 'bigint', channelId: 'text', taxIncluded: 'boolean',
    validFrom: 'timestamptz', validUntil: 'timestamptz',
  })
}

/** Deletes a variant's prices of the given (currency, channel) pairs; a null channel is the default. */
export async function deletePricesOf(
  db: Queryable,
  variantId: string,
  pairs: readonly { readonly currency: string; readonly channelId: string | null }[],
): Promise<void> {
  await db.query(
    `delete from catalog.prices pr
     where pr.variant_id = $1
       and exists (select 1 from unnest($2::text[], $3::text[]) as u (currency, channel_id)
                   where u.currency = pr.currency and u.channel_id is not distinct from pr.channel_id)`,
    [variantId, pairs.map((p) => p.currency), pairs.map((p) => p.channelId)],
  )
}

/** The first instant after `after` at which some price starts or ends (a scheduled change), or null. */
export async function nextPriceChange(db: Queryable, after: Date): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `select least(
       (select min(valid_from) from catalog.prices where valid_from > $1::timestamptz),
       (select min(valid_until) from catalog.prices where valid_until > $1::timestamptz)) as at`,
    [after],
  )
  const at = rows[0]?.at ?? null
  return at === null ? null : new Date(at)
}
