// Child-process bookkeeping: every server is spawned in its own process group so the whole tree
// (npx -> cli -> tsx -> node) can be signalled at once, and everything is killed on exit or SIGINT.
import { spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const children = new Set();

export function startProcess(command, args, { cwd, env, logFile }) {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', log, log] });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.exitInfo = null;
  child.exited.then((info) => {
    child.exitInfo = info;
    children.delete(child);
  });
  children.add(child);
  return child;
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // group already gone
  }
}

/** Signals the process group, waits up to graceMs, then SIGKILLs whatever is left. */
export async function stopProcess(child, { signal = 'SIGTERM', graceMs = 5000, groupOnly = true } = {}) {
  if (!child) return;
  if (child.exitInfo == null) {
    if (groupOnly) signalGroup(child, signal);
    else child.kill(signal);
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs, 'timeout'));
    if ((await Promise.race([child.exited, timer])) === 'timeout') signalGroup(child, 'SIGKILL');
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 1000))]);
  }
  // Grandchildren may outlive the leader: sweep the group.
  signalGroup(child, 'SIGKILL');
}

export function killAllSync() {
  for (const child of children) signalGroup(child, 'SIGKILL');
}

let handlersInstalled = false;
export function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig} received, stopping child processes\n`);
      killAllSync();
      process.exit(130);
    });
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls GET <url>/ok until it answers 2xx; fails early if the child exits. */
export async function waitForOk(baseUrl, { child, timeoutMs = 90_000, logFile } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child?.exitInfo) {
      throw new Error(`server exited (${JSON.stringify(child.exitInfo)}) before ${baseUrl}/ok answered; see ${logFile}`);
    }
    try {
      const res = await fetch(`${baseUrl}/ok`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${baseUrl}/ok did not answer within ${timeoutMs} ms; see ${logFile}`);
}

const CLOCK_TICKS = 100;

/** CPU seconds (user+system) used so far by the live processes of a process group (Linux /proc). */
export function groupCpuSeconds(pgid) {
  if (!pgid || process.platform !== 'linux') return null;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS;
}
