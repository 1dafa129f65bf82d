import type { Queryable } from '../../../platform/db.ts'
import type { VariantPricesChanged } from '../events.ts'

/** A variant's complete price list with its titles, as the VariantPricesChanged event carries it. */
export async function variantPricesChangedPayload(db: Queryable, variantId: string): Promise<VariantPricesChanged> {
  const { rows } = await db.query<{
    sku: string
    variant_title: string
    product_title: string
    price_id: string | null
    currency: string | null
    amount: string | null
    compare_at_amount: string | null
    channel_id: string | null
    tax_included: boolean | null
    valid_from: Date | null
    valid_until: Date | null
  }>(
    `select v.sku, v.title as variant_title, p.title as product_title, pr.id as price_id, pr.currency, pr.amount,
            pr.compare_at_amount, pr.channel_id, pr.tax_included, pr.valid_from, pr.valid_until
     from catalog.variants v
     join catalog.products p on p.id = v.product_id
     left join catalog.prices pr on pr.variant_id = v.id
     where v.id = $1
     order by pr.currency, pr.channel_id nulls first, pr.valid_from nulls first, pr.id`,
    [variantId],
  )
  const first = rows[0]
  if (!first) throw new Error(`variant ${variantId} not found`)
  return {
    sku: first.sku,
    variantTitle: first.variant_title,
    productTitle: first.product_title,
    prices: rows
      .filter((row) => row.price_id !== null)
      .map((row) => ({
        priceId: row.price_id as string,
        currency: row.currency as string,
        amount: row.amount as string,
        compareAtAmount: row.compare_at_amount,
        channelId: row.channel_id,
        taxIncluded: row.tax_included === true,
        validFrom: row.valid_from ? new Date(row.valid_from).toISOString() : null,
        validUntil: row.valid_until ? new Date(row.valid_until).toISOString() : null,
      })),
  }
}
