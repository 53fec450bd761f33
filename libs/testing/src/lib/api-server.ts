import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait-for';

export const REPO_ROOT = resolve(__dirname, '../../../..');

export interface ServerOptions {
  /** Extra environment for the process (PORT, HOST and DATABASE_URL are filled in unless given). */
  env?: Record<string, string>;
  /** Reuse a database file (e.g. to restart on the same store). */
  databaseUrl?: string;
  langgraphConfig?: string;
  port?: number;
  /** Print the server's output (for debugging a test). */
  verbose?: boolean;
  /** How long the server may take to answer `/ok` (default 30 s; projects that compile many graphs take longer). */
  startTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  databaseUrl: string;
  process: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop: () => Promise<void>;
  /** kill -9: no shutdown hooks, as in a crash. */
  crash: () => Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

interface ProcessShape {
  entry: string;
  portVariable: string;
  databaseVariable: string;
  defaults: Record<string, string>;
}

async function startNodeServer(shape: ProcessShape, options: ServerOptions): Promise<RunningServer> {
  const { entry } = shape;
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build it first (npx nx build)`);
  const port = options.port ?? (await freePort());
  const databaseUrl = options.databaseUrl ?? join(mkdtempSync(join(tmpdir(), 'runhook-test-')), 'store.sqlite');
  let log = '';
  const child = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      ...shape.defaults,
      [shape.databaseVariable]: databaseUrl,
      [shape.portVariable]: String(port),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const capture = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const url = `http://127.0.0.1:${port}`;
  // A server that exits while starting fails the start at once (with all it printed), not after the timeout.
  const closed = new Promise<void>((resolveClosed) => child.once('close', () => resolveClosed()));
  try {
    const outcome = await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) return 'exited';
        const response = await fetch(`${url}/ok`);
        return response.ok ? 'ready' : false;
      },
      { timeoutMs: options.startTimeoutMs ?? 30_000, intervalMs: 50, message: `server at ${url} did not come up` },
    );
    if (outcome === 'exited') {
      await closed;
      throw new Error(`server exited with ${child.exitCode ?? child.signalCode} while starting`);
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return {
    url,
    port,
    databaseUrl,
    process: child,
    output: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      // Closed, not only exited: the lines it wrote as it exited (its last log batch) have been read.
      await closed;
    },
    crash: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/** Starts the built api (`dist/apps/api/main.js`) on a free port and a fresh SQLite file. */
export function startApiServer(options: ServerOptions = {}): Promise<RunningServer> {
  return startNodeServer(
    {
      entry: join(REPO_ROOT, 'dist/apps/api/main.js'),
      portVariable: 'PORT',
      databaseVariable: 'DATABASE_URL',
      // A short shutdown grace: `stop()` (SIGTERM) on a server with runs still going then takes 2 s, not the 10 s default.
      defaults: { RUNHOOK_CONFIG: options.langgraphConfig ?? join(REPO_ROOT, 'langgraph.json'), RUNHOOK_SHUTDOWN_GRACE_MS: '2000' },
    },
    options,
  );
}

/** Starts the built demo receiver (`dist/apps/receiver/main.js`) on a free port and its own SQLite file. */
export function startReceiverApp(options: ServerOptions = {}): Promise<RunningServer> {
  return startNodeServer(
    { entry: join(REPO_ROOT, 'dist/apps/receiver/main.js'), portVariable: 'RECEIVER_PORT', databaseVariable: 'RECEIVER_DB', defaults: { RECEIVER_HOST: '127.0.0.1' } },
    options,
  );
}
