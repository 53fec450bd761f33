import { freePort, inCi, waitFor } from '@runhook/testing';
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/**
 * A PostgreSQL cluster of the test's own: a temporary data folder, a free port on 127.0.0.1, started and stopped
 * (and restarted) by the test. The shared server on 5432 is used by other suites and must never be restarted, so
 * every fault a test injects into PostgreSQL goes to one of these.
 */
export interface PrivatePostgres {
  /** `postgres://runhook@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: every connection is terminated (57P01), then the server accepts again. */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
}

const run = promisify(execFile);
const USER = 'runhook';

/** The newest Debian PostgreSQL server binaries (`/usr/lib/postgresql/<version>/bin`), or null when none is installed. */
export function postgresBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')) && existsSync(join(root, version, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length ? join(root, versions[versions.length - 1], 'bin') : null;
}

/** PostgreSQL refuses to run as root: as root the cluster belongs to the packages' `postgres` user. */
function asClusterOwner(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function exec(command: string, args: string[]): Promise<void> {
  const [file, argv] = asClusterOwner(command, args);
  try {
    await run(file, argv, { timeout: 60_000 });
  } catch (error) {
    const failure = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

async function accepts(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startPrivatePostgres(bin: string): Promise<PrivatePostgres> {
  const folder = mkdtempSync(join(tmpdir(), 'runhook-pg-'));
  const data = join(folder, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(folder, Number(stdout.trim()), Number(group.trim()));
  }
  const port = await freePort();
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  await exec(join(bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-instructions']);
  // Loopback only, its socket in its own folder; fsync off: this cluster holds nothing worth a disk flush.
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${folder} -c fsync=off -c max_connections=200`;
  const pgCtl = (action: string, extra: string[] = []) =>
    exec(join(bin, 'pg_ctl'), [action, '-D', data, '-w', '-t', '60', '-l', join(folder, 'server.log'), ...extra]);
  const ready = () => waitFor(() => accepts(url), { timeoutMs: 30_000, intervalMs: 100, message: `private PostgreSQL on ${port} did not accept` });
  await pgCtl('start', ['-o', options]);
  await ready();
  return {
    url,
    port,
    restart: async () => {
      await pgCtl('restart', ['-m', 'fast', '-o', options]);
      await ready();
    },
    stop: async () => {
      await pgCtl('stop', ['-m', 'immediate']).catch(() => undefined);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * `describe` for a suite that needs a private cluster: without the binaries it fails loudly in CI (`.ci/run`
 * installs the `postgresql` package, which brings them) and is reported as skipped elsewhere, as the other
 * PostgreSQL suites do.
 */
export function describeWithPrivatePostgres(title: string, body: (bin: string) => void): void {
  const bin = postgresBinaries();
  if (bin) {
    describe(title, () => body(bin));
  } else if (inCi()) {
    describe(title, () => {
      it('has PostgreSQL server binaries to start a private cluster', () => {
        throw new Error('no initdb/pg_ctl under /usr/lib/postgresql/*/bin in CI: install the postgresql package (.ci/run does)');
      });
    });
  } else {
    describe(`${title} (skipped: no initdb/pg_ctl under /usr/lib/postgresql/*/bin; apt-get install postgresql)`, () => {
      it.skip('starts a private PostgreSQL cluster', () => undefined);
    });
  }
}
