/**
 * Test support for the browser tests: Debian's Chromium driven by playwright-core (which downloads
 * nothing), its network held to 127.0.0.1 — every other request is aborted and recorded, so a
 * test can assert the page tried none — and screenshots under test/artifacts/.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { UI_DIST } from '../../gateway/ui/uiBundle.ts'

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url))

/** Chromium's path as `which chromium` finds it; null when it is not installed. */
export function chromiumPath(): string | null {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}

/** Why the browser tests cannot run here, or null when they can: the `skip` of their describe. */
export function browserTestsSkipped(): string | false {
  if (!chromiumPath()) return 'no Chromium (`which chromium` finds nothing): apt-get install -y chromium'
  if (!existsSync(join(UI_DIST, 'graphiql', 'index.html')) || !existsSync(join(UI_DIST, 'console', 'index.html'))) return 'the UI bundle is not built: npm run build:ui'
  return false
}

export interface Browser {
  readonly context: BrowserContext
  readonly page: Page
  /** Every request the page tried to send anywhere but 127.0.0.1 (each was aborted). */
  readonly outside: string[]
  /** The page's console errors and uncaught exceptions (a CSP violation shows here). */
  readonly errors: string[]
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export async function openBrowser(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (!executablePath) throw new Error('no chromium')
  const userDataDir = mkdtempSync(join(tmpdir(), 'chromium-'))
  // headless, with a profile of its own in a temp folder (playwright passes --headless and --user-data-dir)
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1440, height: 900 },
    timeout: 30_000,
  })
  const outside: string[] = []
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url())
    if (url.hostname === '127.0.0.1') return route.continue()
    outside.push(route.request().url())
    return route.abort('blockedbyclient')
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(15_000)
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('websocket', (socket) => {
    if (new URL(socket.url()).hostname !== '127.0.0.1') outside.push(socket.url())
  })
  mkdirSync(ARTIFACTS, { recursive: true })
  return {
    context,
    page,
    outside,
    errors,
    async screenshot(name) {
      const path = join(ARTIFACTS, `${name}.png`)
      await page.screenshot({ path, fullPage: false })
      return path
    },
    async close() {
      await context.close().catch(() => {})
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}
