import type { ConsoleOverview, DeadLettersAnswer, ErrorAnswer, FeedMappingApproveAnswer, FeedMappingsAnswer, ReplayAnswer } from '../../gateway/console/consoleApi.ts'

/** Where the console keeps the token: this tab only, gone when it closes (never localStorage). */
const TOKEN_KEY = 'commerce.console.token'

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
}

/** The gateway refused the token (401, 403): the console asks for another. */
export class SignInError extends Error {
  override readonly name = 'SignInError'
}

/** The staff-only console API on this gateway (gateway/console/operatorConsole.ts). */
async function call<T>(token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(path, { ...init, headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...init.headers }, cache: 'no-store' })
  const body = (await response.json().catch(() => null)) as T | ErrorAnswer | null
  if (response.status === 401 || response.status === 403) throw new SignInError(messageOf(body) ?? 'The gateway refused this token')
  if (body === null) throw new Error(`${response.status} ${response.statusText}`)
  // 404, 409 and 422 are outcomes the answer describes (gone, done already, refused with codes)
  if (!response.ok && response.status !== 404 && response.status !== 409 && response.status !== 422) throw new Error(messageOf(body) ?? `${response.status} ${response.statusText}`)
  return { status: response.status, body: body as T }
}

function messageOf(body: unknown): string | undefined {
  return (body as ErrorAnswer | null)?.errors?.[0]?.message
}

export const fetchOverview = async (token: string) => (await call<ConsoleOverview>(token, '/console/api/overview')).body
export const fetchDeadLetters = async (token: string) => (await call<DeadLettersAnswer>(token, '/console/api/dead-letters')).body
export const replayDeadLetter = async (token: string, service: string, id: string) =>
  (await call<ReplayAnswer>(token, `/console/api/dead-letters/${encodeURIComponent(service)}/${encodeURIComponent(id)}/replay`, { method: 'POST' })).body
export const fetchFeedMappings = async (token: string) => (await call<FeedMappingsAnswer>(token, '/console/api/feed-mappings')).body
/** Approves as proposed; `idempotencyKey` is one per click, so a retried request is not a second approval. */
export const approveFeedMapping = async (token: string, partnerId: string, kind: string, idempotencyKey: string) =>
  (
    await call<FeedMappingApproveAnswer>(token, `/console/api/feed-mappings/${encodeURIComponent(partnerId)}/${encodeURIComponent(kind)}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idempotencyKey }),
    })
  ).body
