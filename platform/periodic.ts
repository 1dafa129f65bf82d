/** A task run on a timer; `stop()` clears it and waits for a run in progress. */
export interface Periodic {
  stop(): Promise<void>
}

/**
 * Runs `task` every `intervalMs` (0 or less: never), never two runs at once within the process: a
 * tick that finds the last run still going is skipped. A failure goes to `onError` and the next
 * tick runs as usual. The timer is unref'd, so it never keeps a process alive.
 */
export function every(intervalMs: number, task: () => Promise<void>, onError: (error: unknown) => void): Periodic {
  if (intervalMs <= 0) return { stop: async () => {} }
  let running: Promise<void> | null = null
  const timer = setInterval(() => {
    if (running) return
    running = task()
      .catch(onError)
      .finally(() => {
        running = null
      })
  }, intervalMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
