import { useState } from 'preact/hooks'
import { startSession, type Session } from './session.ts'

/**
 * Customers sign in with a token from the identity provider. For the example, the dev server
 * offers a demo sign-in: it mints a customer token with the gateway's development secret (or the
 * AUTH_JWT_SECRET it was given), which never reaches the browser; a pasted token works anywhere.
 */
export function SignIn({ onSignedIn }: { readonly onSignedIn: (session: Session) => void }) {
  const [customer, setCustomer] = useState('c_1001')
  const [pasted, setPasted] = useState('')
  const [problem, setProblem] = useState<string | null>(null)

  const demo = async (event: Event) => {
    event.preventDefault()
    setProblem(null)
    try {
      const response = await fetch('/demo/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customer }) })
      const body = (await response.json()) as { token?: string; error?: string }
      if (!response.ok || !body.token) throw new Error(body.error ?? `The demo sign-in answered ${response.status}`)
      onSignedIn(startSession(body.token))
    } catch (error) {
      setProblem((error as Error).message)
    }
  }
  const paste = (event: Event) => {
    event.preventDefault()
    setProblem(null)
    try {
      onSignedIn(startSession(pasted))
    } catch (error) {
      setProblem((error as Error).message)
    }
  }

  return (
    <section class="sign-in">
      <h1>Sign in</h1>
      <form onSubmit={(event) => void demo(event)}>
        <h2>Demo sign-in</h2>
        <p class="hint">For this example only: the dev server signs a customer token for the id you give.</p>
        <label>
          Customer id
          <input value={customer} onInput={(event) => setCustomer(event.currentTarget.value)} pattern="c_[A-Za-z0-9_]{1,40}" required />
        </label>
        <button type="submit" class="primary">Sign in as this customer</button>
      </form>
      <form onSubmit={paste}>
        <h2>Or paste a token</h2>
        <p class="hint"><code>npm run -s token -- --role customer --sub c_1001</code></p>
        <label>
          Customer token
          <textarea rows={3} value={pasted} onInput={(event) => setPasted(event.currentTarget.value)} required />
        </label>
        <button type="submit">Use this token</button>
      </form>
      {problem && <p role="alert">{problem}</p>}
    </section>
  )
}
