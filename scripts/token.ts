// npm run token -- --role customer|partner|staff [--sub id] [--scope s] [--location id] [--expires-in seconds]
// Prints a development token the gateway accepts when both run with the same environment: it reads
// the gateway's own configuration (loadConfig) and says on stderr which secret signed the token.
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { signToken } from '../gateway/auth.ts'
import { ConfigError, loadConfig } from '../platform/config.ts'
import { ROLES, type Role } from '../platform/viewer.ts'

/** The subject when --sub is left out: the demo store's own (c_1001 owns order #1001). */
export const DEFAULT_SUBJECTS: Readonly<Record<Role, string>> = { customer: 'c_1001', partner: 'partner_acme', staff: 'staff_1' }

export const USAGE = `usage: npm run token -- --role <role> [options]

Prints a JWT for the gateway on stdout, signed with AUTH_JWT_SECRET as the gateway reads it: from
the environment, else the development default. Run it with the gateway's environment (the same
AUTH_JWT_SECRET, AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE); stderr says which secret it used.

  --role customer|partner|staff  required; repeat or comma-separate for several
  --sub <subject>                default per role: ${Object.entries(DEFAULT_SUBJECTS).map(([role, sub]) => `${role} ${sub}`).join(', ')}
  --scope <scope>                e.g. stock:read (the partner stock feed); repeat or comma-separate
  --location <id>                a partner's allowed location (e.g. loc_wh_east); repeatable
  --expires-in <seconds>         default 3600, at most AUTH_MAX_TOKEN_LIFETIME
  -h, --help                     this text

examples:
  TOKEN=$(npm run -s token -- --role customer --sub c_1001)
  npm run token -- --role partner --scope stock:read --location loc_wh_east
  npm run token -- --role staff --expires-in 600`

export interface TokenOutcome {
  /** 0: printed a token; 1: the configuration does not allow one; 2: bad options. */
  readonly status: 0 | 1 | 2
  readonly stdout: string
  readonly stderr: string
}

const fail = (status: 1 | 2, stderr: string): TokenOutcome => ({ status, stdout: '', stderr })
const usageError = (problem: string): TokenOutcome => fail(2, `${problem}\n\n${USAGE}`)

/** The whole command, without touching the process: what to print and the exit status. */
export async function tokenCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<TokenOutcome> {
  let values
  try {
    values = parseArgs({
      args: [...args],
      options: {
        role: { type: 'string', multiple: true, default: [] },
        sub: { type: 'string' },
        scope: { type: 'string', multiple: true, default: [] },
        location: { type: 'string', multiple: true },
        'expires-in': { type: 'string', default: '3600' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values
  } catch (error) {
    // node's own words name the option (unknown, missing its value, ...)
    return usageError((error as Error).message)
  }
  if (values.help) return { status: 0, stdout: USAGE, stderr: '' }

  const roles = values.role.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean)
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r))
  if (roles.length === 0) return usageError('--role is required (customer, partner or staff)')
  if (unknown.length > 0) return usageError(`unknown role(s): ${unknown.join(', ')} (customer, partner or staff)`)
  const expiresIn = Number(values['expires-in'])
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) return usageError(`--expires-in must be a whole number of seconds, got '${values['expires-in']}'`)
  if (values.sub === '') return usageError('--sub must not be empty')

  let config
  try {
    config = loadConfig(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return fail(1, `${error.message}\nThe gateway does not start with this environment either: fix it, then sign.`)
  }
  if (config.jwtSecret === null) {
    return fail(1, 'AUTH_JWKS_URL is set and AUTH_JWT_SECRET is not: the gateway accepts only tokens signed by the JWKS keys, '
      + 'and this command signs HS256 tokens with AUTH_JWT_SECRET.')
  }
  if (expiresIn > config.maxTokenLifetimeSeconds) {
    const limit = config.maxTokenLifetimeSeconds
    return fail(2, `--expires-in ${expiresIn} is longer than AUTH_MAX_TOKEN_LIFETIME (${limit} seconds): the gateway would refuse the token`)
  }

  const first = roles[0] as Role
  const sub = values.sub ?? DEFAULT_SUBJECTS[first]
  const scopes = values.scope.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean)
  const locations = values.location ? { locationIds: values.location } : {}
  const token = await signToken({ sub, roles: roles as Role[], scopes, ...locations, expiresIn }, config)

  // the secret itself is never printed: only where it came from
  const source = env['AUTH_JWT_SECRET']
    ? 'signed with AUTH_JWT_SECRET from the environment'
    : 'signed with the development default secret (AUTH_JWT_SECRET is not set): '
      + 'a gateway started with its own AUTH_JWT_SECRET answers 401; run this with the same environment'
  const claims = [
    `sub ${sub}${values.sub === undefined ? ` (the default for ${first}; --sub to choose)` : ''}`,
    `roles ${roles.join(', ')}`,
    ...(scopes.length ? [`scope ${scopes.join(' ')}`] : []),
    ...(values.location ? [`locations ${values.location.join(', ')}`] : []),
    ...(config.jwtIssuer ? [`iss ${config.jwtIssuer}`] : []),
    ...(config.jwtAudience ? [`aud ${config.jwtAudience}`] : []),
    `expires in ${expiresIn} s`,
  ]
  return { status: 0, stdout: token, stderr: `token: ${claims.join('; ')}\n${source}` }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outcome = await tokenCommand(process.argv.slice(2))
  if (outcome.stdout) console.log(outcome.stdout)
  if (outcome.stderr) console.error(outcome.stderr)
  process.exitCode = outcome.status
}
