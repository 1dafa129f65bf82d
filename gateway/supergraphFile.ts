import { readFileSync, unwatchFile, watchFile } from 'node:fs'
import type { SupergraphManager } from '@apollo/gateway'
import type { FastifyBaseLogger } from 'fastify'

/**
 * Serves the supergraph from a file and reloads it when the file changes. The gateway swaps
 * schemas between requests: in-flight requests finish on the schema they started with. A new
 * file that does not load (half-written, invalid) is logged and the current schema stays.
 * Polling (`watchFile`) rather than `fs.watch`: editors and deploys replace the file by rename,
 * which inotify watches lose.
 */
export function supergraphFromFile(path: string, logger: FastifyBaseLogger, intervalMs = 500): SupergraphManager {
  return {
    async initialize({ update }) {
      let current = readFileSync(path, 'utf8')
      const onChange = () => {
        let next: string
        try {
          next = readFileSync(path, 'utf8')
        } catch (error) {
          logger.warn({ err: error, path }, 'supergraph file unreadable; keeping the current schema')
          return
        }
        if (next === current || next.trim() === '') return
        try {
          update(next)
          current = next
          logger.info({ path }, 'supergraph reloaded')
        } catch (error) {
          logger.error({ err: error, path }, 'new supergraph rejected; keeping the current schema')
        }
      }
      watchFile(path, { interval: intervalMs }, onChange)
      return {
        supergraphSdl: current,
        cleanup: async () => unwatchFile(path, onChange),
      }
    },
  }
}
