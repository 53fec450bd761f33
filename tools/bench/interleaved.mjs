#!/usr/bin/env node
// Server CPU per run of several Runhook builds under the same load at the same moment: every build is started at once
// and driven at once (new thread per run, --clients each), so a busy shared machine slows them all alike. Throughput is
// not comparable this way (they share the cores); CPU per run is, and it needs no quiet machine.
// Usage: node tools/bench/interleaved.mjs --build base=/tmp/base --build branch=. [--build normal=.,RUNHOOK_SQLITE_SYNCHRONOUS=normal]
//        [--auth-for branch] [--seconds 60]
//        [--warmup 5] [--clients 4] [--rounds 3]
//        --wait [--samples 300]: stateless `/runs/wait` calls instead, one at a time, alternated among the builds call by
//        call; prints each build's latency p50 and server CPU per call
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { groupCpuSeconds, installExitHandlers, stopProcess } from './lib/processes.mjs';
import { alternatedWaits, backgroundRuns } from './lib/scenarios.mjs';
import { parseBuild, startOurs } from './lib/servers.mjs';
import { median } from './lib/stats.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    build: { type: 'string', multiple: true, default: [] },
    'auth-for': { type: 'string', default: '' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    clients: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    wait: { type: 'boolean', default: false },
    samples: { type: 'string', default: '300' },
  },
});
const log = (msg) => process.stderr.write(`interleaved: ${msg}\n`);
const builds = opt.build.map((spec) => parseBuild(spec, resolve));
if (builds.length === 0) throw new Error('give at least one --build <label>=<dir>');
if (opt.wait && opt['auth-for']) throw new Error('--wait drives every build without tokens: leave out --auth-for');
const targets = builds.flatMap((b) => [
  { ...b, name: b.label },
  ...(opt['auth-for'].split(',').includes(b.label) ? [{ ...b, name: `${b.label}+auth`, auth: true }] : []),
]);
const runDir = join(repo, 'tmp/bench-results', `interleaved-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(runDir, { recursive: true });

async function round(n) {
  const servers = [];
  try {
    for (const t of targets) {
      const config = t.auth ? join(repo, 'tools/bench/auth/langgraph.json') : undefined;
      servers.push(await startOurs({ repo: t.dir, runDir, label: `${t.name.replace(/[^\w.-]/g, '_')}-r${n}`, env: t.env, config }));
    }
    const load = loadavg()[0];
    if (opt.wait) {
      const cpuProbes = servers.map((s) => () => groupCpuSeconds(s.child.pid));
      const samples = Number(opt.samples);
      return { load, results: await alternatedWaits(servers.map((s) => s.url), { samples, warmupSamples: Math.ceil(samples / 10), cpuProbes }) };
    }
    const results = await Promise.all(
      targets.map((t, i) =>
        backgroundRuns(servers[i].url, {
          clients: Number(opt.clients),
          durationS: Number(opt.seconds),
          warmupS: Number(opt.warmup),
          sharedThread: false,
          cpuProbe: () => groupCpuSeconds(servers[i].child.pid),
          tokenFor: t.auth ? (k) => `bench-user-${k}` : undefined,
        }),
      ),
    );
    return { load, results };
  } finally {
    await Promise.all(servers.map((s) => stopProcess(s.child)));
  }
}

installExitHandlers();
const rows = targets.map(() => []);
for (let n = 1; n <= Number(opt.rounds); n += 1) {
  const { load, results } = await round(n);
  results.forEach((r, i) => rows[i].push(r));
  log(`round ${n} (load ${load.toFixed(1)}): ${results.map((r, i) => `${targets[i].name} ${r.serverCpuMsPerOp} ms/run over ${r.latencyMs.count} runs, p50 ${r.latencyMs.p50} ms, ${r.errors ?? 0} errors`).join('; ')}`);
}
if (opt.wait) {
  process.stdout.write(`/runs/wait, ${opt.samples} calls per build per round, alternated call by call; medians of ${opt.rounds} rounds:\n`);
  const p50Of = (list) => median(list.map((r) => r.latencyMs.p50));
  const cpuOfWait = (list) => median(list.map((r) => r.serverCpuMsPerOp));
  targets.forEach((t, i) => {
    const p50 = p50Of(rows[i]);
    const cpu = cpuOfWait(rows[i]);
    process.stdout.write(`${t.name.padEnd(16)} p50 ${String(p50).padStart(7)} ms (${(p50 / p50Of(rows[0])).toFixed(3)}x)  CPU ${String(cpu).padStart(7)} ms/call (${(cpu / cpuOfWait(rows[0])).toFixed(3)}x)  rounds p50: ${rows[i].map((r) => r.latencyMs.p50).join(', ')}\n`);
  });
  process.stdout.write(`load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  process.exit(0);
}
process.stdout.write(`server CPU ms per run, medians of ${opt.rounds} rounds (all builds driven at once, ${opt.clients} clients each):\n`);
const cpuOf = (list) => median(list.map((r) => r.serverCpuMsPerOp).filter((v) => typeof v === 'number'));
const first = cpuOf(rows[0]);
targets.forEach((t, i) => {
  const cpu = cpuOf(rows[i]);
  const runs = median(rows[i].map((r) => r.latencyMs.count));
  process.stdout.write(`${t.name.padEnd(16)} ${String(cpu).padStart(7)} ms/run  (${(cpu / first).toFixed(3)}x ${targets[0].name})  runs per window ${runs}  rounds: ${rows[i].map((r) => r.serverCpuMsPerOp).join(', ')}\n`);
});
process.stdout.write(`load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
