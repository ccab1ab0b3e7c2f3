import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpDuration: Histogram<'route' | 'method'>;
  graphqlOperations: Counter<'operation' | 'outcome'>;
  graphqlDuration: Histogram<'operation'>;
}

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by name and outcome',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operation latency by name',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** The knex (tarn) pool under a MikroORM connection; absent before the first connect and after close. */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
}

interface PoolSource {
  em: { getConnection(): { getKnex(): { client: { pool?: TarnPool } } } };
}

/**
 * Database pool use for a service with a database: read from the pool at scrape time, so the
 * numbers are current and cost nothing between scrapes.
 */
export function observeDatabasePool(registry: Registry, orm: PoolSource): void {
  const pool = (): TarnPool | undefined => {
    try {
      return orm.em.getConnection().getKnex().client.pool ?? undefined;
    } catch {
      return undefined;
    }
  };
  const gauge = (name: string, help: string, read: (p: TarnPool) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const p = pool();
        this.set(p ? read(p) : 0);
      },
    });
  gauge('db_pool_connections_used', 'Database connections checked out of the pool', (p) => p.numUsed());
  gauge('db_pool_connections_free', 'Idle database connections in the pool', (p) => p.numFree());
  gauge('db_pool_acquires_pending', 'Requests waiting for a database connection', (p) => p.numPendingAcquires() + p.numPendingCreates());
  gauge('db_pool_connections_max', 'Pool size limit', (p) => p.max);
}
