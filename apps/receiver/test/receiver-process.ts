import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const WORKSPACE_ROOT = resolve(__dirname, '../../..');
const BUILT_MAIN = join(WORKSPACE_ROOT, 'dist/apps/receiver/main.js');
const START_TIMEOUT_MS = 15_000;

export interface RunningReceiver {
  /** e.g. http://127.0.0.1:43123 */
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the built receiver (`nx build receiver`) as its own process on a free port with a temporary database,
 * and resolves once it prints the URL it listens on.
 */
export async function startReceiver(env: Record<string, string>): Promise<RunningReceiver> {
  if (!existsSync(BUILT_MAIN)) {
    throw new Error(`${BUILT_MAIN} is missing; run "npx nx build receiver" (the e2e target does)`);
  }
  const folder = mkdtempSync(join(tmpdir(), 'receiver-e2e-'));
  const child = spawn(process.execPath, [BUILT_MAIN], {
    cwd: folder,
    env: { PATH: process.env.PATH, RECEIVER_PORT: '0', RECEIVER_DB: join(folder, 'receiver.sqlite'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    return { baseUrl: await waitForListeningUrl(child), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitForListeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`receiver did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`receiver exited with code ${code} before listening:\n${output}`));
    });
  });
}
