#!/usr/bin/env node
// Server CPU per run against thread length: every client keeps one thread and runs on it, and the server's
// CPU is measured over a window of runs around each length. Builds (and the reference) alternate, round by
// round, on the same machine. Usage: node tools/bench/long-threads.mjs --help
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { groupCpuSeconds, installExitHandlers, stopProcess } from './lib/processes.mjs';
import { makeClient } from './lib/scenarios.mjs';
import { startOurs, startReference } from './lib/servers.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const HELP = `node tools/bench/long-threads.mjs [options]

  --build <name=dir>   a checkout whose dist/apps/api/main.js is benchmarked; repeat for side by side
                       (default: this checkout, as "this")
  --reference          also run the reference JS dev server (slow: about 0.6 s per run)
  --clients <n>        threads, one client each (default 16)
  --lengths <list>     thread lengths, in runs, at which CPU per run is measured (default 10,50,100,200)
  --window <n>         runs per thread in each measured window, centred on the length (default 10)
  --rounds <n>         rounds; every build runs once per round, in turn (default 3)
  --out <file>         raw JSON (default tmp/bench-results/long-threads-<timestamp>.json)
`;

const { values: opt } = parseArgs({
  options: {
    build: { type: 'string', multiple: true },
    reference: { type: 'boolean', default: false },
    clients: { type: 'string', default: '16' },
    lengths: { type: 'string', default: '10,50,100,200' },
    window: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const clients = Number(opt.clients);
const window = Number(opt.window);
const rounds = Number(opt.rounds);
const lengths = opt.lengths.split(',').map(Number);
if (![clients, window, rounds, ...lengths].every((n) => Number.isInteger(n) && n > 0)) throw new Error('counts must be positive integers');
if (lengths.some((length, i) => length - window / 2 < (lengths[i - 1] ?? 0) + window / 2)) {
  throw new Error('lengths must be increasing and at least --window apart');
}
const builds = (opt.build ?? [`this=${repo}`]).map((spec) => {
  const at = spec.indexOf('=');
  return at > 0 ? { name: spec.slice(0, at), dir: resolve(spec.slice(at + 1)) } : { name: spec, dir: resolve(spec) };
});

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const runDir = join(repo, 'tmp/bench-results', `long-threads-${stamp}`);
mkdirSync(runDir, { recursive: true });
const log = (msg) => process.stderr.write(`long-threads: ${msg}\n`);
const INPUT = { messages: [{ role: 'human', content: 'hi' }] };

async function oneRun(client, threadId) {
  const run = await client.runs.create(threadId, 'agent', { input: INPUT, multitaskStrategy: 'enqueue' });
  const values = await client.runs.join(threadId, run.run_id);
  const last = values?.messages?.at(-1)?.content;
  if (last !== 'echo: hi') throw new Error(`unexpected reply ${JSON.stringify(last)} (${JSON.stringify(values).slice(0, 200)})`);
}

/** CPU ms per run while every client does `count` runs (fresh threads when `threads` is null). */
async function measured(cpu, users, threads, count) {
  const before = cpu();
  const t0 = performance.now();
  await Promise.all(
    users.map(async (client, i) => {
      for (let k = 0; k < count; k += 1) await oneRun(client, threads ? threads[i] : (await client.threads.create()).thread_id);
    }),
  );
  const runs = users.length * count;
  const seconds = (performance.now() - t0) / 1000;
  const cpuS = cpu() - before;
  return { runs, seconds, runsPerSecond: runs / seconds, cpuMsPerRun: cpu.available ? (cpuS * 1000) / runs : null };
}

async function benchServer(label, start) {
  const server = await start();
  log(`${label}: up at ${server.url} (log ${server.logFile})`);
  const pgid = server.child.pid;
  const cpu = () => groupCpuSeconds(pgid) ?? 0;
  cpu.available = groupCpuSeconds(pgid) != null;
  try {
    const users = Array.from({ length: clients }, () => makeClient(server.url));
    await measured(cpu, users, null, 2); // warm-up: JIT, statement caches
    const newThread = await measured(cpu, users, null, window);
    const threads = await Promise.all(users.map(async (client) => (await client.threads.create()).thread_id));
    const load = [loadavg()[0]];
    const byLength = {};
    let done = 0;
    const t0 = performance.now();
    for (const length of lengths) {
      const from = length - Math.floor(window / 2);
      await Promise.all(users.map(async (client, i) => {
        for (let k = done; k < from; k += 1) await oneRun(client, threads[i]);
      }));
      byLength[length] = await measured(cpu, users, threads, window);
      done = from + window;
      load.push(loadavg()[0]);
      log(`${label}: length ${length}: ${byLength[length].cpuMsPerRun?.toFixed(2)} ms CPU/run, ${byLength[length].runsPerSecond.toFixed(1)} runs/s`);
    }
    const workload = { runs: done * clients, seconds: (performance.now() - t0) / 1000 };
    workload.runsPerSecond = workload.runs / workload.seconds;
    return { newThread, byLength, workload, loadAverage: load };
  } finally {
    await stopProcess(server.child);
  }
}

const median = (values) => {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (v, digits = 1) => (v == null ? 'n/a' : v.toFixed(digits));

function report(results) {
  const names = Object.keys(results).filter((name) => results[name].length > 0);
  const med = (name, pick) => median(results[name].map(pick));
  const header = `| thread length (runs) | ${names.map((n) => `${n} CPU ms/run`).join(' | ')} |`;
  const rows = [header, `|${' --- |'.repeat(names.length + 1)}`];
  rows.push(`| new thread per run | ${names.map((n) => fmt(med(n, (r) => r.newThread.cpuMsPerRun))).join(' | ')} |`);
  for (const length of lengths) {
    const cells = names.map((n) => {
      const ms = med(n, (r) => r.byLength[length].cpuMsPerRun);
      const base = med(n, (r) => r.newThread.cpuMsPerRun);
      return `${fmt(ms)} (${ms != null && base ? `${(ms / base).toFixed(2)}x` : 'n/a'})`;
    });
    rows.push(`| ${length} | ${cells.join(' | ')} |`);
  }
  rows.push(`| whole workload, runs/s | ${names.map((n) => fmt(med(n, (r) => r.workload.runsPerSecond))).join(' | ')} |`);
  const chart = [];
  const max = Math.max(...names.flatMap((n) => lengths.map((l) => med(n, (r) => r.byLength[l].cpuMsPerRun) ?? 0)));
  for (const length of lengths) {
    for (const n of names) {
      const ms = med(n, (r) => r.byLength[length].cpuMsPerRun) ?? 0;
      chart.push(`${String(length).padStart(4)} ${n.padEnd(10)} ${'#'.repeat(Math.round((ms / max) * 50)).padEnd(50)} ${fmt(ms)} ms`);
    }
  }
  return `${rows.join('\n')}\n\n${chart.join('\n')}`;
}

async function main() {
  installExitHandlers();
  const targets = builds.map((b) => ({
    name: b.name,
    start: () => startOurs({ repo: b.dir, runDir, label: `${b.name}-${Date.now()}` }),
  }));
  if (opt.reference) targets.push({ name: 'reference', start: () => startReference({ repo, runDir }) });
  const results = Object.fromEntries(targets.map((t) => [t.name, []]));
  const loadBefore = loadavg();
  for (let round = 1; round <= rounds; round += 1) {
    for (const target of targets) {
      log(`round ${round}/${rounds}: ${target.name}`);
      try {
        results[target.name].push(await benchServer(target.name, target.start));
      } catch (err) {
        log(`${target.name} failed in round ${round}: ${err?.stack ?? err}`);
      }
    }
  }
  const out = opt.out ? resolve(opt.out) : join(repo, 'tmp/bench-results', `long-threads-${stamp}.json`);
  writeFileSync(out, `${JSON.stringify({ startedAt: stamp, builds, clients, window, lengths, rounds, loadBefore, results }, null, 2)}\n`);
  process.stdout.write(`\n${report(results)}\n\n`);
  process.stdout.write(`medians of ${rounds} rounds; ${clients} threads; CPU of the server's process group over ${window} runs per thread around each length\n`);
  process.stdout.write(`load average (1 min) before: ${loadBefore.map((v) => v.toFixed(2)).join(' ')}; per round: ${Object.entries(results).map(([n, rs]) => `${n} ${rs.map((r) => r.loadAverage.map((v) => v.toFixed(1)).join('/')).join(', ')}`).join('; ')}\n`);
  process.stdout.write(`raw results: ${out}\n`);
}

main().catch((err) => {
  process.stderr.write(`long-threads: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
