import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { GraphQLError } from 'graphql'
import { viewerFromAuthorization } from '../gateway/auth.ts'
import { loadConfig } from '../platform/config.ts'
import { DEFAULT_SUBJECTS, tokenCommand, USAGE } from './token.ts'

/** The environment of someone who exported nothing: the gateway then runs on its defaults too. */
const bare: NodeJS.ProcessEnv = { NODE_ENV: 'development' }
const secret = 's'.repeat(40)
const viewerOf = (token: string, env: NodeJS.ProcessEnv) => viewerFromAuthorization(`Bearer ${token}`, loadConfig(env))

describe('npm run token', () => {
  it('signs with the development default when AUTH_JWT_SECRET is not set, and says so on stderr', async () => {
    const outcome = await tokenCommand(['--role', 'customer', '--sub', 'c_1001'], bare)
    assert.equal(outcome.status, 0, outcome.stderr)
    assert.match(outcome.stdout, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'stdout is the token alone, for TOKEN=$(...)')
    assert.deepEqual(await viewerOf(outcome.stdout, bare), { sub: 'c_1001', roles: ['customer'], scopes: [], locationIds: null })
    assert.match(outcome.stderr, /signed with the development default secret \(AUTH_JWT_SECRET is not set\)/)
    assert.ok(!outcome.stderr.includes(loadConfig(bare).jwtSecret as string), 'the secret is never printed')
  })

  it('signs with AUTH_JWT_SECRET from the environment, as the gateway verifies, and never prints it', async () => {
    const env = { ...bare, AUTH_JWT_SECRET: secret }
    const outcome = await tokenCommand(['--role', 'staff'], env)
    assert.equal(outcome.status, 0, outcome.stderr)
    assert.equal((await viewerOf(outcome.stdout, env)).sub, 'staff_1')
    assert.match(outcome.stderr, /signed with AUTH_JWT_SECRET from the environment/)
    assert.ok(!outcome.stderr.includes(secret) && !outcome.stdout.includes(secret))
    // a gateway on the default secret refuses it, and says what to check
    await assert.rejects(viewerOf(outcome.stdout, bare), (error: unknown) => {
      assert.ok(error instanceof GraphQLError)
      assert.equal(error.extensions['code'], 'UNAUTHENTICATED')
      assert.equal(error.message, "Token signature is not valid: was it signed with this gateway's AUTH_JWT_SECRET?")
      return true
    })
  })

  it('gives each role a default subject, so the README variations run without --sub', async () => {
    for (const role of ['customer', 'partner', 'staff'] as const) {
      const outcome = await tokenCommand(['--role', role], bare)
      assert.equal(outcome.status, 0, outcome.stderr)
      assert.equal((await viewerOf(outcome.stdout, bare)).sub, DEFAULT_SUBJECTS[role])
      assert.match(outcome.stderr, new RegExp(`sub ${DEFAULT_SUBJECTS[role]} \\(the default for ${role}; --sub to choose\\)`))
    }
    const partner = await tokenCommand(['--role', 'partner', '--scope', 'stock:read', '--location', 'loc_wh_east'], bare)
    assert.deepEqual(await viewerOf(partner.stdout, bare), { sub: 'partner_acme', roles: ['partner'], scopes: ['stock:read'], locationIds: ['loc_wh_east'] })
  })

  it('takes the issuer, audience and lifetime limit from the same configuration as the gateway', async () => {
    const env = { ...bare, AUTH_JWT_ISSUER: 'https://id.example', AUTH_JWT_AUDIENCE: 'commerce', AUTH_MAX_TOKEN_LIFETIME: '600' }
    const outcome = await tokenCommand(['--role', 'customer', '--expires-in', '600'], env)
    assert.equal(outcome.status, 0, outcome.stderr)
    assert.equal((await viewerOf(outcome.stdout, env)).sub, 'c_1001')
    assert.match(outcome.stderr, /iss https:\/\/id\.example; aud commerce/)
    const tooLong = await tokenCommand(['--role', 'customer', '--expires-in', '601'], env)
    assert.equal(tooLong.status, 2)
    assert.match(tooLong.stderr, /longer than AUTH_MAX_TOKEN_LIFETIME \(600 seconds\): the gateway would refuse the token/)
  })

  it('refuses what the gateway would not start with, or could not verify', async () => {
    const production = await tokenCommand(['--role', 'staff'], { NODE_ENV: 'production' })
    assert.equal(production.status, 1)
    assert.match(production.stderr, /AUTH_JWT_SECRET is required when NODE_ENV=production/)
    const short = await tokenCommand(['--role', 'staff'], { ...bare, AUTH_JWT_SECRET: 'short' })
    assert.equal(short.status, 1)
    assert.match(short.stderr, /AUTH_JWT_SECRET must be at least 32 characters/)
    const jwksOnly = await tokenCommand(['--role', 'staff'], { ...bare, AUTH_JWKS_URL: 'https://id.example/jwks.json' })
    assert.equal(jwksOnly.status, 1)
    assert.match(jwksOnly.stderr, /AUTH_JWKS_URL is set and AUTH_JWT_SECRET is not/)
    for (const outcome of [production, short, jwksOnly]) assert.equal(outcome.stdout, '')
  })

  it('answers bad options with what is wrong and the usage, never a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [[], /--role is required/],
      [['--role', 'admin'], /unknown role\(s\): admin/],
      [['--role', 'customer', '--expires-in', 'soon'], /--expires-in must be a whole number of seconds, got 'soon'/],
      [['--role', 'customer', '--sub', ''], /--sub must not be empty/],
      [['--role', 'customer', '--subject', 'c_1'], /Unknown option '--subject'/],
      [['--role'], /argument missing/],
      [['customer'], /Unexpected argument 'customer'/],
    ]
    for (const [args, message] of cases) {
      const outcome = await tokenCommand(args, bare)
      assert.equal(outcome.status, 2, args.join(' '))
      assert.match(outcome.stderr, message)
      assert.ok(outcome.stderr.endsWith(USAGE), 'the usage follows')
      assert.doesNotMatch(outcome.stderr, /\n\s+at /)
    }
    const help = await tokenCommand(['--help'], bare)
    assert.deepEqual(help, { status: 0, stdout: USAGE, stderr: '' })
  })

  it('runs as the npm script: the token alone on stdout, the notes on stderr', () => {
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['token']
    assert.equal(script, 'tsx scripts/token.ts')
    const { AUTH_JWT_SECRET: _secret, AUTH_JWKS_URL: _jwks, ...env } = process.env
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '--role', 'partner', '--scope', 'stock:read'], {
      env: { ...env, NODE_ENV: 'development' },
      encoding: 'utf8',
    })
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    assert.match(run.stderr, /^token: sub partner_acme .*\nsigned with the development default secret/)
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '--role', 'root'], { env: { ...env, NODE_ENV: 'development' }, encoding: 'utf8' })
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /^unknown role\(s\): root/)
  })
})
