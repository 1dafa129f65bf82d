/**
 * How the gateway hands a partner's feed file to the inventory subgraph: `POST
 * /partner/feeds/<kind>` with the file's bytes as they came, as PARTNER_FEED_CONTENT_TYPE, and the
 * viewer header signed (platform/viewer.ts) over `feedSignedBody(kind, bytes)`: the kind is under
 * the signature with the bytes, and the marker in front is neither JSON nor a graphql-ws marker,
 * so a header made for a feed is good for nothing else (and no other header for a feed).
 */

/** Where both the gateway (for partners) and the inventory subgraph (for the gateway) take feeds. */
export const PARTNER_FEEDS_PATH = '/partner/feeds'

/** The kinds of file, as they appear in the path. */
export const PARTNER_FEED_KINDS = ['stock-snapshot', 'shipment-confirmation'] as const
export type PartnerFeedKindName = (typeof PARTNER_FEED_KINDS)[number]

export const isPartnerFeedKind = (value: string): value is PartnerFeedKindName => (PARTNER_FEED_KINDS as readonly string[]).includes(value)

/** The scope a partner's token needs to send feeds (and to read its own). */
export const FEEDS_WRITE_SCOPE = 'feeds:write'

/** The content type of the gateway's call: the subgraph reads nothing else on this path. */
export const PARTNER_FEED_CONTENT_TYPE = 'application/vnd.commerce.partner-feed'

/** What the viewer signature covers: the kind, then the file's bytes. */
export function feedSignedBody(kind: string, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`partner-feed:${kind}\n`, 'utf8'), content])
}
