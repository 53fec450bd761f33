import { describeEachStore } from '../persistence/testing/store-fixture';
import { describeMetricsRepository } from './metrics.repository.behaviour';
import { PostgresMetricsRepository } from './postgres-metrics.repository';
import { SqliteMetricsRepository } from './sqlite-metrics.repository';

describeEachStore((name, factory) =>
  describeMetricsRepository(name, factory, (store) =>
    store.kind === 'sqlite' ? new SqliteMetricsRepository(store.sqlite as never) : new PostgresMetricsRepository(store.postgres?.pool as never),
  ),
);
