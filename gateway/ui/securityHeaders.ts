/**
 * The headers of the gateway's browser pages (GraphiQL, the operator console). The bundles are
 * built from npm packages and served from here, so the pages need no other origin: the Content
 * Security Policy names none, and a page that tried to load or call anything elsewhere (a CDN, a
 * font service, telemetry) would be blocked by the browser.
 *
 * - `script-src 'self'`: only the bundle's own files; no inline script, no eval.
 * - `style-src 'self' 'unsafe-inline'`: the editors (CodeMirror) and GraphiQL's panes size
 *   themselves with style attributes.
 * - `img-src` / `font-src` `data:`: GraphiQL's fonts and icons are inlined in its CSS.
 * - `connect-src 'self'`: fetches to this gateway, and graphql-ws on its own host (CSP Level 3
 *   lets 'self' match ws: and wss: of the page's host).
 * - `form-action 'none'`: the console's token form is handled by script; were it ever submitted,
 *   the token could not land in a URL.
 * - `frame-ancestors 'none'` (and X-Frame-Options for older browsers): no clickjacking in a frame.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Headers of an HTML page: the policy above, never cached (a new build has new asset names), no referrer. */
export function pageHeaders(): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-cache',
  }
}

/** Headers of a hashed bundle file: immutable for a year, for this origin only. */
export const ASSET_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'public, max-age=31536000, immutable',
})
