export interface Migration {
  version: number;
  sql: string;
}

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE assistants (
        assistant_id TEXT PRIMARY KEY,
        graph_id TEXT NOT NULL,
        config TEXT NOT NULL,
        context TEXT,
        metadata TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE assistant_versions (
        assistant_id TEXT NOT NULL REFERENCES assistants(assistant_id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        graph_id TEXT NOT NULL,
        config TEXT NOT NULL,
        context TEXT,
        metadata TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (assistant_id, version)
      );
      CREATE TABLE threads (
        thread_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        state_updated_at TEXT NOT NULL,
        metadata TEXT NOT NULL,
        status TEXT NOT NULL,
        config TEXT NOT NULL,
        state_values TEXT,
        interrupts TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX threads_created ON threads (created_at);
      CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        assistant_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        status TEXT NOT NULL,
        metadata TEXT NOT NULL,
        multitask_strategy TEXT NOT NULL,
        kwargs TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        owner TEXT,
        lease_until INTEGER,
        attempt INTEGER NOT NULL DEFAULT 0,
        cancel_action TEXT,
        error TEXT,
        final_values TEXT
      );
      CREATE INDEX runs_queue ON runs (status, created_at);
      CREATE INDEX runs_thread ON runs (thread_id, created_at);
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
    // The webhook outbox: a delivery row is written in the transaction that ends its run; times are epoch ms.
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
        next_attempt_at INTEGER,
        owner TEXT,
        lease_until INTEGER,
        last_status_code INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        delivered_at INTEGER
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries (endpoint, next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (lease_until) WHERE status = 'delivering';
      CREATE INDEX webhook_deliveries_run ON webhook_deliveries (run_id);
      CREATE INDEX webhook_deliveries_thread ON webhook_deliveries (thread_id);
      CREATE INDEX webhook_deliveries_cron ON webhook_deliveries (cron_id);
      CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
      CREATE TABLE webhook_attempts (
        attempt_id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(delivery_id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        status_code INTEGER,
        error TEXT,
        response_excerpt TEXT
      );
      CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
    `,
  },
  {
    // Crons and their firings; the unique (cron_id, scheduled_at) makes each slot fire once across schedulers.
    version: 3,
    sql: `
      CREATE TABLE crons (
        cron_id TEXT PRIMARY KEY,
        assistant_id TEXT NOT NULL,
        thread_id TEXT,
        schedule TEXT NOT NULL,
        timezone TEXT,
        end_time TEXT,
        enabled INTEGER NOT NULL,
        on_run_completed TEXT,
        payload TEXT NOT NULL,
        metadata TEXT NOT NULL,
        user_id TEXT,
        next_run_date TEXT,
        last_fired_at TEXT,
        last_firing_lag_ms INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX crons_due ON crons (next_run_date) WHERE enabled = 1;
      CREATE INDEX crons_created ON crons (created_at);
      CREATE INDEX crons_thread ON crons (thread_id);
      CREATE INDEX crons_end ON crons (end_time) WHERE end_time IS NOT NULL;
      CREATE TABLE cron_firings (
        cron_id TEXT NOT NULL,
        scheduled_at TEXT NOT NULL,
        fired_at TEXT NOT NULL,
        run_id TEXT,
        thread_id TEXT,
        lag_ms INTEGER NOT NULL,
        status TEXT NOT NULL,
        catch_up INTEGER NOT NULL,
        error TEXT,
        UNIQUE (cron_id, scheduled_at)
      );
      CREATE INDEX cron_firings_fired ON cron_firings (fired_at);
    `,
  },
  {
    // The Store (BaseStore items for graphs and /store): a namespace is kept as its labels joined by '.', which no
    // label may contain, so a namespace prefix is one index range. expires_at is epoch ms, so a read can refresh it in SQL.
    version: 4,
    sql: `
      CREATE TABLE store_items (
        prefix TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        ttl_minutes REAL,
        expires_at INTEGER,
        PRIMARY KEY (prefix, key)
      );
      CREATE INDEX store_items_expires ON store_items (expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX store_items_updated ON store_items (updated_at);
      CREATE TABLE store_vectors (
        prefix TEXT NOT NULL,
        key TEXT NOT NULL,
        field TEXT NOT NULL,
        embedding BLOB NOT NULL,
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
      ALTER TABLE threads ADD COLUMN ttl_minutes REAL;
      ALTER TABLE threads ADD COLUMN ttl_expires_at TEXT;
      CREATE INDEX threads_ttl_due ON threads (ttl_expires_at) WHERE ttl_expires_at IS NOT NULL;
    `,
  },
  {
    // Cron provenance of a run, written only by the scheduler: client metadata can claim neither a cron nor its webhook.
    version: 6,
    sql: `
      ALTER TABLE runs ADD COLUMN cron_id TEXT;
      ALTER TABLE runs ADD COLUMN cron_scheduled_at TEXT;
    `,
  },
  {
    // The custom-auth user who created a cron: its firings create their runs as that user.
    version: 7,
    sql: `
      ALTER TABLE crons ADD COLUMN auth_user TEXT;
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
    // A thread's pending and running runs, without its history: the claim and a new run look for them on every run,
    // and through runs_thread they read every run the thread ever had (a long chat thread's hundreds).
    version: 10,
    sql: `
      CREATE INDEX runs_active_by_thread ON runs (thread_id) WHERE status IN ('pending', 'running');
    `,
  },
];
