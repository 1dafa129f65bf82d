// Entry of benchmark worker threads: Node 20 workers do not inherit `--import tsx`, so the
// TypeScript loader is registered here before the benchmark module loads.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.module)
