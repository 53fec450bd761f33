// The `floor` target of run.mjs: tools/bench/floor.mjs in a child process of its own (so its CPU and heap are not
// the bench's), with the same clients, window and warm-up as the background scenario. It has no other scenarios:
// wait and stream latencies have no in-process meaning beyond the run itself.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const GRACE_MS = 60_000;

function runFloorProcess(repo, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'tools/bench/floor.mjs'), ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A floor that hangs (as one did before its loops yielded to timers) must not hang the whole bench.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export async function floorRuns({ repo, runDir, round, config, log }) {
  const args = [
    '--clients', String(config.clients),
    '--duration', String(config.durationS),
    '--warmup', String(config.warmupS),
    '--db', join(runDir, `floor-r${round}.sqlite`),
  ];
  const before = loadavg();
  log(`floor: ${config.clients} loops, ${config.warmupS}s warm-up, ${config.durationS}s window`);
  const timeoutMs = (config.durationS + config.warmupS) * 1000 + GRACE_MS;
  const { code, signal, stdout, stderr } = await runFloorProcess(repo, args, timeoutMs);
  const load = { before, after: loadavg() };
  const line = stdout.trim().split('\n').at(-1);
  if (code !== 0 || !line) {
    const error = `floor.mjs exited ${signal ?? code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
    log(error);
    return { error, load, scenarios: { bg: { error } } };
  }
  try {
    return { load, scenarios: { bg: JSON.parse(line) } };
  } catch {
    const error = `floor.mjs printed no JSON result: ${line.slice(0, 200)}`;
    return { error, load, scenarios: { bg: { error } } };
  }
}
