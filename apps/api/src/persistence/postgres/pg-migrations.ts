import type { Migration } from '../sqlite-migrations';

/**
 * The PostgreSQL twin of SQLITE_MIGRATIONS: same tables and columns, jsonb for JSON and timestamptz
 * for times (the adapters turn them back into ISO strings). Versions must stay in step with SQLite's.
 */
export const PG_MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE assistants (
        assistant_id TEXT PRIMARY KEY,
        graph_id TEXT NOT NULL,
        config JSONB NOT NULL,
        context JSONB,
        metadata JSONB NOT NULL,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE assistant_versions (
        assistant_id TEXT NOT NULL REFERENCES assistants(assistant_id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        graph_id TEXT NOT NULL,
        config JSONB NOT NULL,
        context JSONB,
        metadata JSONB NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (assistant_id, version)
      );
      CREATE TABLE threads (
        thread_id TEXT PRIMARY KEY,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        state_updated_at TIMESTAMPTZ NOT NULL,
        metadata JSONB NOT NULL,
        status TEXT NOT NULL,
        config JSONB NOT NULL,
        state_values JSONB,
        interrupts JSONB NOT NULL,
        error JSONB
      );
      CREATE INDEX threads_created ON threads (created_at);
      CREATE INDEX threads_metadata ON threads USING GIN (metadata jsonb_path_ops);
      CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        assistant_id TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        status TEXT NOT NULL,
        metadata JSONB NOT NULL,
        multitask_strategy TEXT NOT NULL,
        kwargs JSONB NOT NULL,
        started_at TIMESTAMPTZ,
        ended_at TIMESTAMPTZ,
        owner TEXT,
        lease_until BIGINT,
        attempt INTEGER NOT NULL DEFAULT 0,
        cancel_action TEXT,
        error JSONB,
        final_values JSONB
      );
      CREATE INDEX runs_queue ON runs (created_at, run_id) WHERE status = 'pending';
      CREATE INDEX runs_thread ON runs (thread_id, created_at);
      CREATE INDEX runs_leases ON runs (lease_until) WHERE status = 'running';
      -- The last line of defence for "one running run per thread", whatever two replicas do at once.
      CREATE UNIQUE INDEX runs_one_running_per_thread ON runs (thread_id) WHERE status = 'running';
      CREATE TABLE run_events (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
    `,
  },
  {
    // The webhook outbox (SQLite version 2); times are epoch ms, as there.
    version: 2,
    sql: `
      CREATE TABLE webhook_deliveries (
        delivery_id TEXT PRIMARY KEY,
        webhook_id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL,
        thread_id TEXT,
        cron_id TEXT,
        url TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT,
        owner TEXT,
        lease_until BIGINT,
        last_status_code INTEGER,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        delivered_at BIGINT
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (lease_until) WHERE status = 'delivering';
      CREATE INDEX webhook_deliveries_run ON webhook_deliveries (run_id);
      CREATE INDEX webhook_deliveries_thread ON webhook_deliveries (thread_id);
      CREATE INDEX webhook_deliveries_cron ON webhook_deliveries (cron_id);
      CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
      CREATE TABLE webhook_attempts (
        attempt_id BIGSERIAL PRIMARY KEY,
        delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(delivery_id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        started_at BIGINT NOT NULL,
        duration_ms INTEGER NOT NULL,
        status_code INTEGER,
        error TEXT,
        response_excerpt TEXT
      );
      CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
    `,
  },
  {
    // Crons and their firings (SQLite version 3); one firing per (cron, scheduled time).
    version: 3,
    sql: `
      CREATE TABLE crons (
        cron_id TEXT PRIMARY KEY,
        assistant_id TEXT NOT NULL,
        thread_id TEXT,
        schedule TEXT NOT NULL,
        timezone TEXT,
        end_time TIMESTAMPTZ,
        enabled BOOLEAN NOT NULL,
        on_run_completed TEXT,
        payload JSONB NOT NULL,
        metadata JSONB NOT NULL,
        user_id TEXT,
        next_run_date TIMESTAMPTZ,
        last_fired_at TIMESTAMPTZ,
        last_firing_lag_ms BIGINT,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX crons_due ON crons (next_run_date) WHERE enabled;
      CREATE INDEX crons_created ON crons (created_at);
      CREATE INDEX crons_thread ON crons (thread_id);
      CREATE INDEX crons_end ON crons (end_time) WHERE end_time IS NOT NULL;
      CREATE TABLE cron_firings (
        cron_id TEXT NOT NULL,
        scheduled_at TIMESTAMPTZ NOT NULL,
        fired_at TIMESTAMPTZ NOT NULL,
        run_id TEXT,
        thread_id TEXT,
        lag_ms BIGINT NOT NULL,
        status TEXT NOT NULL,
        catch_up BOOLEAN NOT NULL,
        error TEXT,
        UNIQUE (cron_id, scheduled_at)
      );
      CREATE INDEX cron_firings_fired ON cron_firings (fired_at);
    `,
  },
  {
    // The Store (SQLite version 4). Embeddings are real[] so the table needs no extension; pgvector, when the
    // database has it, is used by casting at query time.
    version: 4,
    sql: `
      CREATE TABLE store_items (
        prefix TEXT COLLATE "C" NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        value JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        ttl_minutes DOUBLE PRECISION,
        expires_at BIGINT,
        PRIMARY KEY (prefix, key)
      );
      CREATE INDEX store_items_expires ON store_items (expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX store_items_updated ON store_items (updated_at);
      CREATE TABLE store_vectors (
        prefix TEXT COLLATE "C" NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        field TEXT NOT NULL,
        embedding REAL[] NOT NULL,
        PRIMARY KEY (prefix, key, field),
        FOREIGN KEY (prefix, key) REFERENCES store_items (prefix, key) ON DELETE CASCADE
      );
    `,
  },
  {
    // Thread time to live (POST/PATCH /threads `ttl`): the sweeper finds due threads by ttl_expires_at.
    version: 5,
    sql: `
      ALTER TABLE threads ADD COLUMN ttl_strategy TEXT;
      ALTER TABLE threads ADD COLUMN ttl_minutes DOUBLE PRECISION;
      ALTER TABLE threads ADD COLUMN ttl_expires_at TIMESTAMPTZ;
      CREATE INDEX threads_ttl_due ON threads (ttl_expires_at) WHERE ttl_expires_at IS NOT NULL;
    `,
  },
  {
    // Cron provenance of a run, written only by the scheduler: client metadata can claim neither a cron nor its webhook.
    version: 6,
    sql: `
      ALTER TABLE runs ADD COLUMN cron_id TEXT;
      ALTER TABLE runs ADD COLUMN cron_scheduled_at TIMESTAMPTZ;
    `,
  },
  {
    // The custom-auth user who created a cron: its firings create their runs as that user.
    version: 7,
    sql: `
      ALTER TABLE crons ADD COLUMN auth_user JSONB;
    `,
  },
  {
    // Leases handed back at shutdown: `attempt` stays the fencing token (it only grows), and attempts used are
    // attempt - released_attempts, so a run released by a stopping worker keeps its budget of RUN_MAX_ATTEMPTS.
    version: 9,
    sql: `
      ALTER TABLE runs ADD COLUMN released_attempts INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // A thread's pending and running runs, without its history, for the lookups every new run makes.
    version: 10,
    sql: `
      CREATE INDEX runs_active_by_thread ON runs (thread_id) WHERE status IN ('pending', 'running');
    `,
  },
];
