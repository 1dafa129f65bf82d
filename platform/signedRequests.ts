import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from './config.ts'
import { CONNECTION_INIT_BODY, openViewerHeader, signedFor, VIEWER_HEADER, verifyViewer, viewerKind, type OpenedViewerHeader, type Viewer } from './viewer.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The viewer the gateway signed; set only once the signature has been verified. */
    viewer: Viewer
    /** The request body's exact bytes (JSON bodies only): what the viewer signature covers. */
    rawBody: Buffer | null
    /** The viewer header, its signature and freshness checked; its body still to be matched. */
    signedHeader: OpenedViewerHeader | null
    /** The JSON body did not parse (answered once the signature is known to cover it). */
    malformedBody: boolean
  }
}

type SigningSecrets = Pick<Config, 'viewerSigningSecret' | 'viewerSigningSecretPrevious'>

/** The secrets a signature may be made with: the current one, and the previous during a rotation. */
export const signingSecrets = (config: SigningSecrets): readonly (string | null)[] => [config.viewerSigningSecret, config.viewerSigningSecretPrevious]

/**
 * Makes `path` answer only POSTs whose viewer header was signed for their exact body. The header's
 * own signature and freshness are checked as the request arrives, so a missing, forged or stale
 * header is refused without reading a byte of the body. The JSON parser keeps the raw bytes
 * (re-serializing the parsed body would not give back what was signed) and the body digest is
 * matched in `preValidation`, before mercurius parses the GraphQL document; only a body the
 * signature covers is then judged as JSON (malformed: 400 BAD_REQUEST). Any other content type has
 * no raw body kept, so it is refused too.
 *
 * GET is refused outright: a GET has no body, so its signature could only cover the empty body,
 * and a header captured from one GET would then be good for any query string for its whole
 * validity. The gateway, the readiness probe and service-to-service calls only POST.
 */
export function authenticateSignedRequests(app: FastifyInstance, options: { readonly path: string; readonly config: SigningSecrets }): void {
  const secrets = signingSecrets(options.config)
  app.decorateRequest('viewer', null as unknown as Viewer)
  app.decorateRequest('rawBody', null)
  app.decorateRequest('signedHeader', null)
  app.decorateRequest('malformedBody', false)

  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer
    parseJson(request, request.rawBody.toString('utf8'), (error, parsed) => {
      // judged after the signature: a forged request learns nothing from its body's fate
      if (error) request.malformedBody = true
      done(null, error ? null : parsed)
    })
  })

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== options.path) return undefined
    if (request.method !== 'POST') {
      return reply
        .code(405)
        .header('allow', 'POST')
        .send(refusal('BAD_REQUEST', 'Subgraphs answer POST only; send the operation through the gateway'))
    }
    request.signedHeader = openViewerHeader(headerOf(request.headers[VIEWER_HEADER]), { secrets })
    if (!request.signedHeader) return unauthenticated(reply)
    return undefined
  })

  app.addHook('preValidation', async (request, reply) => {
    if (request.routeOptions.url !== options.path) return undefined
    const header = request.signedHeader
    if (!header || !request.rawBody || !signedFor(header, request.rawBody)) return unauthenticated(reply)
    if (request.malformedBody) return reply.code(400).send(refusal('BAD_REQUEST', 'The request body is not valid JSON'))
    request.viewer = header.viewer
    // the request's lines (its "request completed" too) say who asked, never with what credential
    request.log = request.log.child({ viewer: { kind: viewerKind(header.viewer), sub: header.viewer.sub } })
    reply.log = request.log
    return undefined
  })
}

/**
 * The viewer of a graphql-ws connection, from `connection_init`'s `{ headers: { 'x-commerce-viewer' } }`,
 * signed over CONNECTION_INIT_BODY (there is no body); null refuses the connection (4403).
 */
export function viewerFromConnectionParams(params: Record<string, unknown> | undefined, config: SigningSecrets): Viewer | null {
  const headers = params?.['headers'] as Record<string, unknown> | undefined
  const header = headers?.[VIEWER_HEADER]
  return verifyViewer(typeof header === 'string' ? header : undefined, { secrets: signingSecrets(config), body: CONNECTION_INIT_BODY })
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

// 401 is the one non-2xx a subgraph answers: nothing ran, and the gateway never sends it
function unauthenticated(reply: FastifyReply): FastifyReply {
  return reply.code(401).send(refusal('UNAUTHENTICATED', 'This service only accepts requests signed by the gateway'))
}

function refusal(code: 'UNAUTHENTICATED' | 'BAD_REQUEST', message: string) {
  return { data: null, errors: [{ message, extensions: { code } }] }
}
