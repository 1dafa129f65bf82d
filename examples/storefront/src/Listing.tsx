import { CategoriesDocument, CategoryListingDocument } from '../../../operations/storefront/generated/graphql.ts'
import { useQuery } from './hooks.ts'
import { formatRange, type Currency } from './money.ts'
import { badgeOf, totalOf, useStockBadges } from './stockBadges.ts'

/** The category navigation, then a page of products with a live stock badge each. */
export function Listing({ categoryId, currency }: { readonly categoryId: string | null; readonly currency: Currency }) {
  const categories = useQuery(CategoriesDocument, {})
  const listing = useQuery(CategoryListingDocument, { categoryId, currency, first: 24 })
  const products = listing.data?.products.nodes ?? []
  const problem = useStockBadges(products.flatMap((product) => product.variants.nodes.map((variant) => variant.sku)))
  const current = categories.data?.categories.flatMap((top) => [top, ...top.children]).find((category) => category.id === categoryId)

  return (
    <div class="listing">
      <nav class="categories" aria-label="Categories">
        <a href="#/" aria-current={categoryId === null ? 'page' : undefined}>Everything</a>
        {categories.data?.categories.map((top) => (
          <div key={top.id} class="category-group">
            <a href={`#/category/${top.id}`} aria-current={top.id === categoryId ? 'page' : undefined}>{top.name}</a>
            {top.children.map((child) => (
              <a key={child.id} class="child" href={`#/category/${child.id}`} aria-current={child.id === categoryId ? 'page' : undefined}>{child.name}</a>
            ))}
          </div>
        ))}
      </nav>
      <section>
        <h1>{current?.name ?? 'Everything'}</h1>
        {listing.error && <p role="alert">{listing.error}</p>}
        {problem && <p role="alert">Live stock stopped: {problem}</p>}
        {listing.loading && products.length === 0 && <p>Loading…</p>}
        <ul class="cards">
          {products.map((product) => {
            const available = totalOf(product.variants.nodes.map((variant) => variant.availableToSell))
            const badge = badgeOf(available)
            return (
              <li key={product.id} class="card" data-product={product.handle}>
                <a href={`#/product/${product.handle}`}>
                  <span class="title">{product.title}</span>
                  <span class="price">{product.priceRange ? formatRange(product.priceRange.min, product.priceRange.max) : 'Price unavailable'}</span>
                  <span class={`badge ${badge.tone}`} data-available={available ?? undefined}>{badge.label}</span>
                </a>
              </li>
            )
          })}
        </ul>
      </section>
    </div>
  )
}
