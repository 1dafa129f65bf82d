/**
 * The supergraph as production runs it: the gateway and each subgraph a process of its own, on a
 * PostgreSQL database cloned from the test template for the run (dropped at the end) and NATS
 * JetStream in a namespace of the run's own (deleted at the end), every process on the
 * development defaults plus what a load test needs (no rate limits, no anomaly detection,
 * free-form documents). For the benchmarks that drive the whole path (bench/checkout.ts).
 */
import type { Config } from '../platform/config.ts'
import { loadConfig } from '../platform/config.ts'
import type { Database } from '../platform/db.ts'
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/subgraphRegistry.ts'
import { answersOk, freePort, serviceEnv, startService, waitUntilReady, type Service } from './processes.ts'
import { useStorage } from './support.ts'

export interface SupergraphProcesses {
  /** The gateway's GraphQL endpoint. */
  readonly gatewayUrl: string
  /** The run's database (as the services see it), for what the benchmark reads directly. */
  readonly db: Database
  /** The configuration every process runs with (to sign tokens the gateway accepts). */
  readonly config: Readonly<Config>
  /** The gateway's and subgraphs' processes (for their CPU and memory). */
  readonly services: readonly { readonly name: string; readonly pid: number }[]
  close(): Promise<void>
}

export async function startSupergraphProcesses(): Promise<SupergraphProcesses> {
  // PostgreSQL at DATABASE_URL, before anything imports platform/testing.ts (it reads DATABASE_URL once)
  useStorage('pg-nats')
  const { openTestDatabase } = await import('../platform/testing.ts')
  const { SUBGRAPHS } = await import('../subgraphs/registry.ts')
  const { deleteNatsNamespace } = await import('../platform/natsBus.ts')
  const test = await openTestDatabase(SUBGRAPHS)
  const services: Service[] = []
  const natsUrl = process.env['NATS_URL'] as string
  const namespace = `bench_processes_${process.pid}`
  const close = async () => {
    for (const service of services.reverse()) await service.stop()
    await deleteNatsNamespace(natsUrl, namespace).catch(() => {})
    await test.close()
  }
  try {
    const { rows } = await test.db.query<{ name: string }>('select current_database() as name')
    const name = rows[0]?.name ?? ''
    // the services migrate the database they are given: never one but the clone
    if (!name.startsWith('commerce_test_')) throw new Error(`the test database is '${name}', not a clone of the test template: is DATABASE_URL set?`)
    const databaseUrl = new URL(process.env['DATABASE_URL'] as string)
    databaseUrl.pathname = `/${name}`

    const ports = {} as Record<SubgraphName, number>
    for (const subgraph of SUBGRAPH_NAMES) ports[subgraph] = await freePort()
    const shared = {
      DATABASE_URL: databaseUrl.toString(),
      NATS_URL: natsUrl,
      NATS_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      SEED_ON_START: 'false',
      ...Object.fromEntries(SUBGRAPH_NAMES.map((subgraph) => [`SUBGRAPH_${subgraph.toUpperCase()}_URL`, `http://127.0.0.1:${ports[subgraph]}/graphql`])),
    }
    for (const subgraph of SUBGRAPH_NAMES) {
      const port = ports[subgraph]
      services.push(startService(subgraph, `subgraphs/${subgraph}/main.ts`, [], serviceEnv({ ...shared, [`${subgraph.toUpperCase()}_PORT`]: String(port) }), port))
    }
    for (const service of services) await waitUntilReady(service, '/healthz', answersOk(service.port, '/healthz'))
    const gatewayPort = await freePort()
    const gateway = startService('gateway', 'gateway/main.ts', [], serviceEnv({
      ...shared,
      GATEWAY_PORT: String(gatewayPort),
      RATE_LIMIT_ENABLED: 'false',
      ANOMALY_DETECTION: 'false',
      TRUSTED_DOCUMENTS: 'off',
    }), gatewayPort)
    services.push(gateway)
    await waitUntilReady(gateway, '/readyz', answersOk(gatewayPort, '/readyz'))
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
      db: test.db,
      // every process runs on the development defaults (serviceEnv drops the shell's settings): so does this one
      config: loadConfig(serviceEnv({})),
      services: services.map(({ name, pid }) => ({ name, pid })),
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
