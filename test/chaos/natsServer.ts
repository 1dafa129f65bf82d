/**
 * A nats-server of the test's own (JetStream, a temporary store, a free port), so that a test can
 * stop and start it: the machine's NATS is shared and never restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../../bench/processes.ts'

export interface NatsServer {
  readonly url: string
  /** Stops the server (SIGTERM), waits `downMs`, and starts it again on the same port and store. */
  restart(downMs: number): Promise<void>
  stop(): Promise<void>
}

/** nats-server on the PATH or in /usr/sbin, or null. */
export function natsServerBinary(): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']
  return dirs.map((dir) => join(dir, 'nats-server')).find((path) => existsSync(path)) ?? null
}

/** A JetStream nats-server on a free port with a temporary store; its data outlives a restart. */
export async function startNatsServer(): Promise<NatsServer> {
  const binary = natsServerBinary()
  if (!binary) throw new Error('no nats-server binary')
  const store = mkdtempSync(join(tmpdir(), 'chaos-nats-'))
  const port = await freePort()
  let child: ChildProcess | null = null
  const launch = async () => {
    const started = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: ['ignore', 'pipe', 'pipe'] })
    child = started
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start within 10 s:\n${output}`)), 10_000)
      const seen = (chunk: Buffer) => {
        output += chunk.toString('utf8')
        if (output.includes('Server is ready')) {
          clearTimeout(timer)
          resolve()
        }
      }
      started.stdout?.on('data', seen)
      started.stderr?.on('data', seen)
      started.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`nats-server exited (${code}):\n${output}`))
      })
    })
  }
  const halt = async () => {
    const running = child
    child = null
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  process.on('exit', () => {
    const running = child as ChildProcess | null
    running?.kill('SIGKILL')
  })
  await launch()
  return {
    url: `nats://127.0.0.1:${port}`,
    async restart(downMs) {
      await halt()
      await sleep(downMs)
      await launch()
    },
    async stop() {
      await halt()
      rmSync(store, { recursive: true, force: true })
    },
  }
}
