// npm run token -- --role customer --sub c_1001 [--role staff] [--scope stock:read] [--location loc_wh_east] [--expires-in 3600]
// Prints a development token signed with AUTH_JWT_SECRET (the dev default unless set).
import { parseArgs } from 'node:util'
import { signToken } from '../gateway/auth.ts'
import { loadConfig } from '../platform/config.ts'
import { ROLES, type Role } from '../platform/viewer.ts'

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true, default: [] },
    sub: { type: 'string' },
    scope: { type: 'string', multiple: true, default: [] },
    location: { type: 'string', multiple: true },
    'expires-in': { type: 'string', default: '3600' },
  },
})
const usage = 'usage: npm run token -- --role customer|partner|staff --sub <subject> [--scope s] [--location id] [--expires-in seconds]'
const roles = values.role.flatMap((r) => r.split(','))
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r))
const expiresIn = Number(values['expires-in'])
if (!values.sub || roles.length === 0 || unknown.length > 0 || !Number.isInteger(expiresIn) || expiresIn <= 0) {
  console.error(unknown.length ? `unknown role(s): ${unknown.join(', ')}\n${usage}` : usage)
  process.exit(2)
}
const token = await signToken(
  { sub: values.sub, roles: roles as Role[], scopes: values.scope.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean), ...(values.location ? { locationIds: values.location } : {}), expiresIn },
  loadConfig(),
)
console.log(token)
