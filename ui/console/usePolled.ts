import { useCallback, useEffect, useState } from 'preact/hooks'

/** Lists staff act on (dead letters, feed mappings) change seldom: read every 10 s, and after each action. */
const REFRESH_MS = 10_000

/**
 * A staff-only list polled every REFRESH_MS, with the notice its last read or action left and the
 * action in progress: `act` runs one (`busy` names it meanwhile), shows what it answered or why it
 * failed, and reads the list again. A failure that is the sign-in's (`onSignInError`) is the
 * console's to show, not the section's.
 */
export function usePolled<T>(read: () => Promise<T>, what: string, onSignInError: (error: unknown) => boolean) {
  const [answer, setAnswer] = useState<T | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      setAnswer(await read())
    } catch (error) {
      if (!onSignInError(error)) setNotice(`${what} could not be read: ${(error as Error).message}`)
    }
  }, [read, what, onSignInError])

  useEffect(() => {
    void load()
    const timer = setInterval(() => void load(), REFRESH_MS)
    return () => clearInterval(timer)
  }, [load])

  const act = async (name: string, run: () => Promise<string>, failed: string) => {
    setBusy(name)
    try {
      setNotice(await run())
    } catch (error) {
      if (!onSignInError(error)) setNotice(`${failed}: ${(error as Error).message}`)
    } finally {
      setBusy(null)
      await load()
    }
  }

  return { answer, notice, busy, load, act }
}
