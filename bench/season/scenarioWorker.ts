import { fileURLToPath } from 'node:url'
import { parentPort, Worker, workerData } from 'node:worker_threads'
import { runScenario, type ScenarioInput, type ScenarioRecord } from './scenario.ts'

/**
 * A scenario in a worker thread of its own, with its own database: the two scenarios of a season
 * share nothing, so on a machine with two cores they run side by side. Loaded through
 * bench/worker.mjs, which registers the TypeScript loader first.
 */
type WorkerMessage = { readonly kind: 'day'; readonly day: number } | { readonly kind: 'done'; readonly record: ScenarioRecord }

const ROLE = 'season-scenario'
const WORKER = fileURLToPath(new URL('../worker.mjs', import.meta.url))

export function runScenarioInWorker(input: ScenarioInput): Promise<ScenarioRecord> {
  const { onDay, ...data } = input
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { module: import.meta.url, role: ROLE, input: data } })
    let done = false
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'day') return onDay?.(message.day)
      done = true
      resolve(message.record)
      // its database and consumer are closed: nothing is left to wait for
      void worker.terminate()
    })
    worker.on('error', reject)
    worker.on('exit', (code) => {
      if (!done) reject(new Error(`the ${input.strategy} scenario's worker ended (${code}) without a result`))
    })
  })
}

if (parentPort && (workerData as { role?: string } | null)?.role === ROLE) {
  const port = parentPort
  const input = (workerData as { input: ScenarioInput }).input
  const record = await runScenario({ ...input, onDay: (day) => port.postMessage({ kind: 'day', day } satisfies WorkerMessage) })
  port.postMessage({ kind: 'done', record } satisfies WorkerMessage)
}
