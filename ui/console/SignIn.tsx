import { useState } from 'preact/hooks'

/**
 * Asks for a staff token (a JWT, as `npm run token -- --role staff` prints); the console keeps it
 * in this tab's sessionStorage. The form is never submitted: its CSP forbids it (form-action 'none'),
 * so a token can never end up in a URL.
 */
export function SignIn({ message, onToken }: { readonly message: string | null; readonly onToken: (token: string) => void }) {
  const [token, setToken] = useState('')
  return (
    <main class="sign-in">
      <h1>Operator console</h1>
      <p>Sign in with a staff token: the gateway verifies it like any request to /graphql.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          const value = token.trim().replace(/^Bearer\s+/i, '')
          if (value) onToken(value)
        }}
      >
        <label for="token">Staff token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck={false} placeholder="eyJhbGciOi…" value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        <button type="submit">Sign in</button>
      </form>
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
      <p class="hint">
        A development token: <code>npm run -s token -- --role staff</code>
      </p>
    </main>
  )
}
