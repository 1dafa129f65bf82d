/** A response body over the cap: nothing of it is kept, and nothing of it is reported. */
export class ResponseTooLargeError extends Error {
  readonly maxBytes: number
  constructor(maxBytes: number) {
    super(`response body over ${maxBytes} bytes`)
    this.name = 'ResponseTooLargeError'
    this.maxBytes = maxBytes
  }
}

// the statuses whose Response may not carry a body (the Response constructor refuses one)
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304])

/**
 * Reads a fetch response's body into memory, never more than `maxBytes` of it: a declared
 * Content-Length over the cap is refused before reading, and the bytes are counted as they stream
 * (Content-Length may be absent, or count compressed bytes), so no more than the cap plus one
 * chunk is ever held. Returns a Response over the bytes read, with the original status and
 * headers; throws ResponseTooLargeError, having cancelled the rest of the body.
 */
export async function readCappedResponse(response: Response, maxBytes: number): Promise<Response> {
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw new ResponseTooLargeError(maxBytes)
  }
  const chunks: Uint8Array[] = []
  let total = 0
  if (response.body) {
    const reader = response.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        await reader.cancel().catch(() => {})
        throw new ResponseTooLargeError(maxBytes)
      }
      chunks.push(value)
    }
  }
  const body = NULL_BODY_STATUSES.has(response.status) ? null : Buffer.concat(chunks, total)
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}
