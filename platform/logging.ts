import type { LoggerOptions } from 'pino'
import type { Config } from './config.ts'
import { traceIds, tracingEnabled } from './tracing.ts'
import { VIEWER_HEADER } from './viewer.ts'

/**
 * Where a secret could sit in a log object: credentials in request headers (Fastify's default
 * serializer logs none, a custom one might) and a payment method token in an event or input
 * that code logs whole. Each is replaced by "[redacted]".
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  `req.headers["${VIEWER_HEADER}"]`,
  'req.headers.cookie',
  'headers.authorization',
  `headers["${VIEWER_HEADER}"]`,
  '*.paymentMethodToken',
  '*.*.paymentMethodToken',
  'paymentMethodToken',
  'token',
  '*.token',
]

/**
 * One JSON log line format for every service (pino): the level, the service's name, and, inside
 * a trace, `trace_id` and `span_id` so a line leads to its trace; secrets redacted.
 */
export function loggerOptions(config: Pick<Config, 'logLevel'>, name: string): LoggerOptions {
  return {
    level: config.logLevel,
    name,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(tracingEnabled() ? { mixin: () => traceIds() } : {}),
  }
}
