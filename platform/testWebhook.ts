import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { IncidentNotice } from './incidentWebhook.ts'

/** How the receiver answers: with a status, or not at all (the request hangs until the receiver closes). */
export type ReceiverAnswer = number | 'hang'

export interface WebhookReceiver {
  readonly url: string
  /** Every body received, in order (failed deliveries included). */
  readonly received: IncidentNotice[]
  answer: ReceiverAnswer
  close(): Promise<void>
}

/** A real HTTP webhook receiver on a free local port (tests only). */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: IncidentNotice[] = []
  const hanging = new Set<ServerResponse>()
  const receiver = { answer: 204 as ReceiverAnswer }
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as IncidentNotice)
      if (receiver.answer === 'hang') {
        hanging.add(response)
        return
      }
      response.writeHead(receiver.answer).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/incidents`,
    received,
    async close() {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}
