import { MyOrdersDocument } from '../../../operations/storefront/generated/graphql.ts'
import { useQuery } from './hooks.ts'
import { formatMoney } from './money.ts'

/** How often "My orders" looks again for status changes (payment, shipping, cancellation). */
const POLL_MS = 3000

const words = (value: string) => value.toLowerCase().replace(/_/g, ' ')

/** The signed-in customer's orders, newest first, their statuses kept current by polling. */
export function OrdersPage() {
  const orders = useQuery(MyOrdersDocument, { first: 10 }, { pollInterval: POLL_MS })
  const nodes = orders.data?.orders.nodes ?? []
  return (
    <section class="orders">
      <h1>My orders</h1>
      {orders.error && <p role="alert">{orders.error}</p>}
      {orders.loading && nodes.length === 0 && <p>Loading…</p>}
      {!orders.loading && nodes.length === 0 && !orders.error && <p>No orders yet.</p>}
      {nodes.length > 0 && (
        <table>
          <thead>
            <tr><th>Order</th><th>Placed</th><th>Items</th><th>Status</th><th>Payment</th><th>Shipping</th><th>Total</th></tr>
          </thead>
          <tbody>
            {nodes.map((order) => (
              <tr key={order.id} data-order={order.number} data-status={order.status} data-payment={order.financialStatus}>
                <td>{order.number}</td>
                <td>{new Date(order.placedAt).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' })}</td>
                <td>{order.lineItems.nodes.map((item) => `${item.quantity} × ${item.title}`).join(', ')}</td>
                <td>{words(order.status)}</td>
                <td>{words(order.financialStatus ?? 'unknown')}</td>
                <td>{words(order.fulfillmentStatus)}</td>
                <td>{formatMoney(order.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
