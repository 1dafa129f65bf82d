/**
 * The README's examples, run as written against the whole stack: every `npm run token` command in
 * the README, and in "Example operations" and the partner section every fenced example — GraphQL
 * (with the ```json variables that follow it), shell (token commands, curl) and the Apollo Client
 * snippet. A failure names the example by its section and the paragraph above it.
 *
 * As a newcomer runs them: tokens from the token command with nothing exported (so the development
 * secret, as the gateway's), the edge limits on their defaults (the README promises its examples
 * stay within them), "Example operations" in the default trusted-documents mode (`log`), and the
 * partner section in `enforce` (partners send the reviewed operations). Examples run in README
 * order and may use what an earlier one made (the cart, the token); `cart_…` stands for the id of
 * the cart the previous example created.
 *
 * README_PATH reads another copy of the README (to check proposed edits before they land).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { Kind, parse, type OperationDefinitionNode } from 'graphql'
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws'
import WebSocket from 'ws'
import { viewerFromAuthorization } from '../gateway/auth.ts'
import { loadManifests } from '../contracts/manifest.ts'
import { loadConfig } from '../platform/config.ts'
import { eventually, testConfig } from '../platform/testing.ts'
import { tokenCommand } from '../scripts/token.ts'
import { asStaff, query, startStack, type Stack } from './stack.ts'

const README_PATH = process.env['README_PATH'] ?? 'README.md'
const README = readFileSync(README_PATH, 'utf8')
/** Someone who exported nothing: the token command and the gateway both fall back to the defaults. */
const NEWCOMER_ENV: NodeJS.ProcessEnv = { NODE_ENV: 'development' }
/** Where the README's commands and snippets expect the gateway. */
const README_HTTP = 'http://127.0.0.1:4000/graphql'
const README_WS = 'ws://127.0.0.1:4000/graphql'
const EDGE_LIMITS = loadConfig({ NODE_ENV: 'test' }).limits

interface Example {
  readonly kind: 'inline' | 'fence'
  /** The fence's language ('' for inline code). */
  readonly lang: string
  readonly text: string
  /** Section and the start of the paragraph above: how a failure names the example. */
  readonly label: string
}

/** The inline code and fenced blocks of each `## ` section, in order. */
function examplesBySection(markdown: string): Map<string, Example[]> {
  const sections = new Map<string, Example[]>()
  let heading = ''
  let prose: string[] = []
  let paragraph = ''
  let fence: { lang: string; lines: string[]; label: string } | null = null
  const push = (example: Example) => sections.get(heading)?.push(example)
  const label = () => `"## ${heading}" › "${paragraph.length > 72 ? `${paragraph.slice(0, 72)}…` : paragraph}"`
  const endParagraph = () => {
    if (prose.length === 0) return
    paragraph = prose.join(' ')
    for (const match of paragraph.matchAll(/`([^`]+)`/g)) push({ kind: 'inline', lang: '', text: match[1] as string, label: label() })
    prose = []
  }
  for (const line of markdown.split('\n')) {
    if (fence) {
      if (/^```\s*$/.test(line)) {
        push({ kind: 'fence', lang: fence.lang, text: fence.lines.join('\n'), label: fence.label })
        fence = null
      } else fence.lines.push(line)
      continue
    }
    const open = /^```(\w*)\s*$/.exec(line)
    const title = /^## (.+)$/.exec(line)
    if (open || title || line.trim() === '') endParagraph()
    if (open) fence = { lang: open[1] as string, lines: [], label: label() }
    else if (title) {
      heading = (title[1] as string).trim()
      paragraph = ''
      sections.set(heading, [])
    } else if (line.trim() !== '') prose.push(line.trim())
  }
  return sections
}

function section(prefix: string): { heading: string; examples: Example[] } {
  const found = [...examplesBySection(README).entries()].find(([heading]) => heading.startsWith(prefix))
  assert.ok(found, `${README_PATH} has no section "## ${prefix}…"`)
  return { heading: found[0], examples: found[1] }
}

/** Shell words as sh splits them: quotes, backslash-newline, and $NAME from earlier examples. */
function shellWords(text: string, vars: ReadonlyMap<string, string>): string[] {
  const words: string[] = []
  let word: string | null = null
  const variable = (from: number): { value: string; length: number } => {
    const match = /^\$(?:\{(\w+)\}|(\w+))/.exec(text.slice(from))
    if (!match) return { value: '$', length: 1 }
    const name = (match[1] ?? match[2]) as string
    const value = vars.get(name)
    if (value === undefined) throw new Error(`$${name} is not set by an earlier example`)
    return { value, length: match[0].length }
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c === '\\' && text[i + 1] === '\n') i++
    else if (/\s/.test(c)) {
      if (word !== null) words.push(word)
      word = null
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1)
      word = (word ?? '') + text.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      word ??= ''
      for (i++; text[i] !== '"'; i++) {
        if (text[i] === '\\' && /["\\$`]/.test(text[i + 1] ?? '')) word += text[++i]
        else if (text[i] === '$') {
          const { value, length } = variable(i)
          word += value
          i += length - 1
        } else word += text[i]
      }
    } else if (c === '$') {
      const { value, length } = variable(i)
      word = (word ?? '') + value
      i += length - 1
    } else word = (word ?? '') + c
  }
  if (word !== null) words.push(word)
  return words
}

interface Session {
  readonly stack: Stack
  /** Shell variables the examples set (TOKEN, PARTNER_TOKEN). */
  readonly vars: Map<string, string>
  /** The token of the latest token command: the one the next example is sent with. */
  token: string | undefined
  cartId: string | undefined
  connectionInit: Record<string, unknown> | undefined
  link: { client: Client } | undefined
}

const TOKEN_COMMAND = /^npm run (?:-s )?token -- (.*)$/

async function runToken(args: string, label: string): Promise<string> {
  const outcome = await tokenCommand(shellWords(args, new Map()), NEWCOMER_ENV)
  assert.equal(outcome.status, 0, `${label}: \`npm run token -- ${args}\` exits ${outcome.status}:\n${outcome.stderr}`)
  return outcome.stdout
}

/** One shell command line (continuations joined): a token command, curl, or the example client. */
async function runCommand(line: string, session: Session, label: string): Promise<void> {
  let rest = line.trim()
  if (rest.startsWith('#')) return
  const assignment = /^(\w+)=\$\((npm run [^)]*)\)\s*/.exec(rest)
  if (assignment) {
    const command = TOKEN_COMMAND.exec(assignment[2] as string)
    assert.ok(command, `${label}: no way to run \`${assignment[2]}\` here`)
    session.token = await runToken(command[1] as string, label)
    session.vars.set(assignment[1] as string, session.token)
    rest = rest.slice(assignment[0].length)
  }
  if (rest === '') return
  const token = TOKEN_COMMAND.exec(rest)
  if (token) session.token = await runToken(token[1] as string, label)
  else if (rest.startsWith('curl ')) await runCurl(shellWords(rest, session.vars), session, label)
  else if (rest.startsWith('npx tsx ')) checkScriptCommand(shellWords(rest, session.vars), label)
  else assert.fail(`${label}: no way to run \`${rest}\` in this test: teach test/readmeExamples.test.ts, or make it an example it runs`)
}

async function runCurl(words: string[], session: Session, label: string): Promise<void> {
  let method: string | undefined
  let url: string | undefined
  let body: string | undefined
  const headers: Record<string, string> = {}
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string
    if (word === '-s' || word === '--silent') continue
    else if (word === '-H' || word === '--header') {
      const [name, ...value] = (words[++i] as string).split(':')
      headers[(name as string).trim().toLowerCase()] = value.join(':').trim()
    } else if (word === '-d' || word === '--data' || word === '--data-raw') body = words[++i]
    else if (word === '-X' || word === '--request') method = words[++i]
    else if (word.startsWith('-')) assert.fail(`${label}: curl option ${word} is not known to this test`)
    else url = word
  }
  if (!url?.startsWith(README_HTTP)) assert.fail(`${label}: curl calls ${url}, not the gateway at ${README_HTTP}`)
  const response = await session.stack.gateway.inject({
    method: (method ?? (body === undefined ? 'GET' : 'POST')) as 'GET' | 'POST',
    url: `/graphql${url.slice(README_HTTP.length)}`,
    headers,
    ...(body === undefined ? {} : { payload: body }),
  })
  assert.equal(response.statusCode, 200, `${label}: curl gets ${response.statusCode} ${response.body}`)
  checkResult(response.json(), label)
}

/** `npx tsx <file> --flag ...`: the file exists and takes those flags (run end to end by its own test). */
function checkScriptCommand(words: string[], label: string): void {
  const file = words[2] as string
  assert.ok(existsSync(file), `${label}: ${file} does not exist`)
  const source = readFileSync(file, 'utf8')
  for (const flag of words.filter((w) => w.startsWith('--'))) {
    assert.match(source, new RegExp(`['"]?${flag.slice(2)}['"]?: \\{ type:`), `${label}: ${file} takes no ${flag}`)
  }
}

/** What "runs" means: no errors, no userErrors, and every root field answered. */
function checkResult(result: { data?: unknown; errors?: unknown }, label: string): void {
  assert.equal(result.errors, undefined, `${label}: ${JSON.stringify(result.errors)}`)
  const data = result.data as Record<string, unknown> | null | undefined
  assert.ok(data, `${label}: no data`)
  for (const [field, value] of Object.entries(data)) assert.notEqual(value, null, `${label}: ${field} is null`)
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}.${i}`))
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'userErrors') assert.deepEqual(v, [], `${label}: ${path}.userErrors`)
        walk(v, `${path}.${key}`)
      }
    }
  }
  walk(data, 'data')
}

const manifestOperations = () => [...loadManifests('operations').operations.values()]

async function runGraphql(example: Example, variablesExample: Example | undefined, session: Session, enforce: boolean): Promise<void> {
  let text = example.text
  if (text.includes('"cart_…"')) {
    assert.ok(session.cartId, `${example.label}: no earlier example made the cart its "cart_…" stands for`)
    text = text.replaceAll('"cart_…"', JSON.stringify(session.cartId))
  }
  assert.doesNotMatch(text, /…/, `${example.label}: a placeholder the test cannot fill`)
  const operations = parse(text).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  const variables = variablesExample ? (JSON.parse(variablesExample.text) as Record<string, unknown>) : {}
  for (const [i, operation] of operations.entries()) {
    const name = operation.name?.value ?? `anonymous operation ${i + 1}`
    const label = operations.length > 1 ? `${example.label} (${name})` : example.label
    const required = (operation.variableDefinitions ?? []).filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue).map((v) => v.variable.name.value)
    for (const name of required) assert.ok(name in variables, `${label}: $${name} is required and no \`\`\`json block after it gives it`)
    if (enforce) {
      const trusted = manifestOperations().find((o) => o.name === operation.name?.value)
      assert.ok(trusted, `${label}: ${name} is in no operations/<client>/manifest.json, so enforce mode refuses it`)
      const manifest = `operations/${trusted.client}/manifest.json`
      assert.equal(text.trim(), trusted.body, `${label}: the text differs from the body of ${name} in ${manifest}, so enforce mode refuses it`)
    }
    if (operation.operation === 'subscription') {
      await runSubscription(text, variables, session, label)
      continue
    }
    const payload = { query: text, variables, ...(operation.name ? { operationName: operation.name.value } : {}) }
    const response = await session.stack.gateway.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...(session.token ? { authorization: `Bearer ${session.token}` } : {}) },
      payload,
    })
    const body = response.json()
    checkResult(body, label)
    const cart = Object.values(body.data ?? {}).find((v: any) => typeof v?.cart?.id === 'string') as { cart: { id: string } } | undefined
    if (cart) session.cartId = cart.cart.id
  }
}

/**
 * Subscribes over every client the README shows (the `connection_init` payload, and Apollo
 * Client's link when the snippet came first), then makes one change the filter matches: each
 * client must get its event.
 */
async function runSubscription(text: string, variables: Record<string, unknown>, session: Session, label: string): Promise<void> {
  const { stack } = session
  assert.ok(session.connectionInit, `${label}: no \`connection_init\` example before it`)
  const url = await stack.gatewayWsUrl()
  const payload = JSON.parse(JSON.stringify(session.connectionInit['payload'] ?? {}).replaceAll('<JWT>', session.token ?? '')) as Record<string, unknown>
  const raw = createClient({ url, webSocketImpl: WebSocket, connectionParams: payload, retryAttempts: 0 })
  const clients: [string, Client][] = [['the connection_init payload', raw]]
  if (session.link) clients.push(['the Apollo Client snippet', session.link.client])
  const events = clients.map(() => [] as FormattedExecutionResult<Record<string, unknown>, unknown>[])
  const failures: unknown[] = []
  const unsubscribes = clients.map(([, client], i) =>
    client.subscribe({ query: text, variables }, { next: (e) => void events[i]?.push(e), error: (e) => void failures.push(e), complete: () => {} }),
  )
  try {
    // every client subscribed at the gateway, and the upstream subscription live at inventory
    const subscribed = async () =>
      (await stack.gateway.inject({ method: 'GET', url: '/metrics/subscriptions' })).json().subscribers >= clients.length &&
      (stack.subgraphs.inventory.stockFeed?.subscriberCount ?? 0) >= 1
    await eventually(`${label}: the subscriptions`, async () => failures.length > 0 || (await subscribed()))
    assert.deepEqual(failures, [], `${label}: the subscription fails`)
    const filter = (variables['filter'] ?? {}) as { skus?: string[]; locationIds?: string[] }
    const sku = filter.skus?.[0]
    assert.ok(sku, `${label}: the test changes a SKU of the filter, and the filter names none`)
    const adjust = `mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code message } } }`
    const change = { sku, locationId: filter.locationIds?.[0] ?? 'loc_wh_east', name: 'AVAILABLE', delta: 1, changeFromQuantity: null }
    const adjusted = await query(stack, adjust, { input: { idempotencyKey: `readme-${Date.now()}`, reason: 'CORRECTION', changes: [change] } }, asStaff)
    assert.deepEqual(adjusted.body.data?.['inventoryAdjustQuantities']?.userErrors, [], adjusted.raw)
    await eventually(`${label}: an event on every client`, () => failures.length > 0 || events.every((e) => e.length > 0), 15_000)
    assert.deepEqual(failures, [], `${label}: the subscription fails`)
    clients.forEach(([name], i) => {
      const first = events[i]?.[0] as FormattedExecutionResult<Record<string, unknown>, unknown>
      checkResult(first, `${label}, over ${name}`)
      assert.equal((first.data?.['stockLevelChanged'] as { sku: string }).sku, sku)
    })
  } finally {
    for (const unsubscribe of unsubscribes) unsubscribe()
    await raw.dispose()
  }
}

/** The snippet as a module: its imports resolved from here, its URL the stack's; it must make `link`. */
async function runSnippet(example: Example, session: Session, dir: string): Promise<void> {
  const url = await session.stack.gatewayWsUrl()
  assert.ok(example.text.includes(README_WS), `${example.label}: the snippet does not connect to ${README_WS}`)
  const source = example.text
    .replaceAll(README_WS, url)
    .replace(/from '([^'.][^']*)'/g, (_, specifier: string) => `from '${import.meta.resolve(specifier)}'`)
  const file = join(dir, `snippet-${Date.now()}.mts`)
  writeFileSync(file, `${source}\nexport { link }\n`)
  process.env['PARTNER_TOKEN'] = session.vars.get('PARTNER_TOKEN') ?? session.token
  const { link } = (await import(pathToFileURL(file).href)) as { link: { client: Client } }
  assert.ok(link?.client, `${example.label}: the snippet's link has no graphql-ws client`)
  session.link = link
}

/** The examples of one section as tests, run in order on one stack. */
function runSection(prefix: string, start: () => Promise<Stack>, enforce: boolean): void {
  const { heading, examples } = section(prefix)
  let session: Session
  let dir: string
  const partnerToken = process.env['PARTNER_TOKEN']
  before(async () => {
    session = { stack: await start(), vars: new Map(), token: undefined, cartId: undefined, connectionInit: undefined, link: undefined }
    dir = mkdtempSync(join(tmpdir(), 'readme-'))
  })
  after(async () => {
    await session?.link?.client.dispose()
    await session?.stack.close()
    rmSync(dir, { recursive: true, force: true })
    if (partnerToken === undefined) delete process.env['PARTNER_TOKEN']
    else process.env['PARTNER_TOKEN'] = partnerToken
  })
  it(`"## ${heading}" has examples`, () => assert.ok(examples.some((e) => e.lang === 'graphql'), `no \`\`\`graphql example in "## ${heading}"`))
  examples.forEach((example, i) => {
    const next = examples[i + 1]
    const variables = example.lang === 'graphql' && next?.kind === 'fence' && next.lang === 'json' ? next : undefined
    if (example.kind === 'inline') {
      const command = example.text
      if (/^(\w+=\$\()?npm run/.test(command)) it(`${example.label}: \`${command}\``, () => runCommand(command, session, example.label))
      return
    }
    if (example.lang === 'json' && examples[i - 1]?.lang === 'graphql') return
    it(`${example.label} (\`\`\`${example.lang})`, async () => {
      if (example.lang === 'graphql') await runGraphql(example, variables, session, enforce)
      else if (example.lang === 'sh') {
        for (const line of example.text.replace(/\\\n\s*/g, ' ').split('\n')) await runCommand(line, session, example.label)
      } else if (example.lang === 'ts') await runSnippet(example, session, dir)
      else if (example.lang === 'json' && /"connection_init"/.test(example.text)) session.connectionInit = JSON.parse(example.text) as Record<string, unknown>
      else assert.fail(`${example.label}: no way to run a \`\`\`${example.lang} block in this test`)
    })
  })
}

describe(`the README's token commands (${README_PATH})`, () => {
  it('every `npm run token` command prints a token the gateway accepts', async () => {
    const commands = [...README.matchAll(/npm run (?:-s )?token -- ([^`)\n]*)/g)].map((m) => (m[1] as string).trim())
    assert.ok(commands.length > 0)
    // the stacks' secret is the development default the commands sign with when nothing is exported
    assert.equal(testConfig.jwtSecret, loadConfig(NEWCOMER_ENV).jwtSecret)
    for (const args of commands) {
      const outcome = await tokenCommand(shellWords(args, new Map()), NEWCOMER_ENV)
      assert.equal(outcome.status, 0, `\`npm run token -- ${args}\` exits ${outcome.status}:\n${outcome.stderr}`)
      if (/(^|\s)(--help|-h)(\s|$)/.test(args)) continue
      await assert.doesNotReject(viewerFromAuthorization(`Bearer ${outcome.stdout}`, testConfig), `\`npm run token -- ${args}\``)
    }
  })
})

describe(`the README's "Example operations" (${README_PATH})`, () => {
  runSection('Example operations', () => startStack({ gatewayConfig: { limits: EDGE_LIMITS } }), false)
})

describe(`the README's partner stock feed (${README_PATH})`, () => {
  // staff adjust stock to make the events: free-form, as staff may when allowed
  const gatewayConfig = { limits: EDGE_LIMITS, trustedDocuments: 'enforce', trustedDocumentsAllowStaff: true } as const
  runSection('Partners', () => startStack({ gatewayConfig }), true)
})
