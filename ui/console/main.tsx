import { render } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import type { ConsoleOverview } from '../../gateway/console/consoleApi.ts'
import { fetchOverview, session, SignInError } from './api.ts'
import './console.css'
import { DeadLetters } from './DeadLetters.tsx'
import { FeedMappings } from './FeedMappings.tsx'
import { Overview, Status } from './Overview.tsx'
import { SignIn } from './SignIn.tsx'

/** The overview is polled every 2 s, each poll once the previous one answered. */
const POLL_MS = 2000

function Console() {
  const [token, setToken] = useState<string | null>(session.token())
  const [signInMessage, setSignInMessage] = useState<string | null>(null)
  const [overview, setOverview] = useState<ConsoleOverview | null>(null)
  const [problem, setProblem] = useState<string | null>(null)

  const signOut = useCallback((message: string | null) => {
    session.clear()
    setToken(null)
    setOverview(null)
    setSignInMessage(message)
  }, [])

  /** A refused token (expired, not staff) ends the session; true when it did. */
  const onSignInError = useCallback(
    (error: unknown) => {
      if (!(error instanceof SignInError)) return false
      signOut(error.message)
      return true
    },
    [signOut],
  )

  useEffect(() => {
    if (!token) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const poll = async () => {
      try {
        const next = await fetchOverview(token)
        if (stopped) return
        setOverview(next)
        setProblem(null)
      } catch (error) {
        if (stopped || onSignInError(error)) return
        setProblem(`The gateway did not answer: ${(error as Error).message}`)
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS)
    }
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [token, onSignInError])

  if (!token) {
    return (
      <SignIn
        message={signInMessage}
        onToken={(value) => {
          session.save(value)
          setSignInMessage(null)
          setToken(value)
        }}
      />
    )
  }
  return (
    <div class="console">
      <header class="top">
        <h1>Operator console</h1>
        {overview && <Status overview={overview} />}
        <div class="live">
          <span class={problem ? 'dot stale' : 'dot'} aria-hidden="true" />
          <span data-updated={overview?.generatedAt ?? ''}>{overview ? `Updated ${new Date(overview.generatedAt).toLocaleTimeString('en-GB')}` : 'Loading…'}</span>
          <button type="button" onClick={() => signOut(null)}>
            Sign out
          </button>
        </div>
      </header>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {overview && <Overview overview={overview} />}
      <DeadLetters token={token} onSignInError={onSignInError} />
      <FeedMappings token={token} onSignInError={onSignInError} />
    </div>
  )
}

const root = document.getElementById('console')
if (!root) throw new Error('no #console element')
root.textContent = ''
render(<Console />, root)
