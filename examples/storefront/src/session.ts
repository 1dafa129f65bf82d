// Who is shopping, and their carts: kept in sessionStorage (this tab only, gone when it closes).
import type { Currency } from './money.ts'

const TOKEN_KEY = 'storefront.token'

export interface Session {
  readonly token: string
  /** The token's subject, shown in the header (the gateway verifies the token; this only reads it). */
  readonly customer: string
}

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY)
  return token ? sessionOf(token) : null
}

/** A session for a token; throws when it is not a JWT with a subject. */
export function startSession(token: string): Session {
  const session = sessionOf(token.trim())
  if (!session) throw new Error('That is not a token: paste the JWT npm run token printed')
  sessionStorage.setItem(TOKEN_KEY, session.token)
  return session
}

export function endSession(): void {
  sessionStorage.clear()
}

function sessionOf(token: string): Session | null {
  const payload = token.split('.')[1]
  if (!payload) return null
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown }
    return typeof claims.sub === 'string' ? { token, customer: claims.sub } : null
  } catch {
    return null
  }
}

// a cart has one currency: one cart per customer and currency
const cartKey = (session: Session, currency: Currency) => `storefront.cart.${session.customer}.${currency}`

export const carts = {
  get: (session: Session, currency: Currency): string | null => sessionStorage.getItem(cartKey(session, currency)),
  set: (session: Session, currency: Currency, cartId: string): void => sessionStorage.setItem(cartKey(session, currency), cartId),
  clear: (session: Session, currency: Currency): void => sessionStorage.removeItem(cartKey(session, currency)),
}
