import { render, type JSX } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { CartPage } from './CartPage.tsx'
import { createStorefrontClient, type SocketState } from './client.ts'
import { ClientContext } from './hooks.ts'
import { Listing } from './Listing.tsx'
import { CURRENCIES, type Currency } from './money.ts'
import { OrdersPage } from './OrdersPage.tsx'
import { ProductPage } from './ProductPage.tsx'
import { endSession, loadSession, type Session } from './session.ts'
import { SignIn } from './SignIn.tsx'
import './storefront.css'

type Route =
  | { readonly page: 'listing'; readonly categoryId: string | null }
  | { readonly page: 'product'; readonly handle: string }
  | { readonly page: 'cart' | 'orders' | 'sign-in' }

/** `#/`, `#/category/<id>`, `#/product/<handle>`, `#/cart`, `#/orders`, `#/sign-in`. */
function routeOf(hash: string): Route {
  const [, page = '', argument = ''] = hash.replace(/^#/, '').split('/').map(decodeURIComponent)
  if (page === 'category' && argument) return { page: 'listing', categoryId: argument }
  if (page === 'product' && argument) return { page: 'product', handle: argument }
  if (page === 'cart' || page === 'orders' || page === 'sign-in') return { page }
  return { page: 'listing', categoryId: null }
}

const CURRENCY_KEY = 'storefront.currency'

function Storefront() {
  const [route, setRoute] = useState(() => routeOf(location.hash))
  const [session, setSession] = useState<Session | null>(loadSession)
  const [currency, setCurrency] = useState<Currency>(() => (sessionStorage.getItem(CURRENCY_KEY) as Currency | null) ?? 'USD')
  const [socket, setSocket] = useState<SocketState>('closed')
  // one client per viewer: signing in or out starts from an empty cache and a new socket
  const client = useMemo(() => createStorefrontClient(session?.token ?? null), [session])
  useEffect(() => {
    const unsubscribe = client.onSocketState(setSocket)
    return () => {
      unsubscribe()
      client.dispose()
    }
  }, [client])
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash))
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])

  const chooseCurrency = (next: Currency) => {
    sessionStorage.setItem(CURRENCY_KEY, next)
    setCurrency(next)
  }
  const signedIn = (next: Session) => {
    sessionStorage.setItem(CURRENCY_KEY, currency)
    setSession(next)
    location.hash = '#/'
  }
  const signOut = () => {
    endSession()
    setSession(null)
  }
  const needsSession = (page: () => JSX.Element) => (session ? page() : <SignIn onSignedIn={signedIn} />)

  return (
    <ClientContext.Provider value={client.apollo}>
      <header>
        <a class="brand" href="#/">Storefront</a>
        <nav>
          <a href="#/cart">Cart</a>
          <a href="#/orders">My orders</a>
        </nav>
        <label class="currency">
          Currency
          <select value={currency} onChange={(event) => chooseCurrency(event.currentTarget.value as Currency)}>
            {CURRENCIES.map((code) => <option key={code} value={code}>{code}</option>)}
          </select>
        </label>
        {/* the socket opens while a page follows stock (listing, product) and closes after */}
        <span class={`live ${socket}`} data-socket={socket} title="Stock badges follow the gateway over graphql-ws" hidden={socket === 'closed'}>
          {socket === 'connected' ? 'Live stock' : 'Connecting…'}
        </span>
        {session ? (
          <span class="who">
            {session.customer} <button type="button" onClick={signOut}>Sign out</button>
          </span>
        ) : (
          <a class="who" href="#/sign-in">Sign in</a>
        )}
      </header>
      <main>
        {route.page === 'listing' && <Listing categoryId={route.categoryId} currency={currency} />}
        {route.page === 'product' && <ProductPage handle={route.handle} currency={currency} session={session} />}
        {route.page === 'cart' && needsSession(() => <CartPage key={`${session?.customer}:${currency}`} currency={currency} session={session as Session} />)}
        {route.page === 'orders' && needsSession(() => <OrdersPage />)}
        {route.page === 'sign-in' && <SignIn onSignedIn={signedIn} />}
      </main>
    </ClientContext.Provider>
  )
}

render(<Storefront />, document.getElementById('app') as HTMLElement)
