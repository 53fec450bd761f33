#!/usr/bin/env node
// CPU profile of Runhook under background-run load: starts dist/apps/api/main.js with --cpu-prof, drives N runs
// (create thread -> create run -> join) from C concurrent SDK clients, stops the server with SIGINT so V8 writes
// the profile, then prints the top self-time functions and packages.
// Usage: node tools/bench/profile.mjs [--runs 500] [--clients 16] [--top 25] [--shared-thread]
//        node tools/bench/profile.mjs --profile <file.cpuprofile>   (re-print an existing profile)
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installExitHandlers, stopProcess } from './lib/processes.mjs';
import { makeClient } from './lib/scenarios.mjs';
import { startOurs } from './lib/servers.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    clients: { type: 'string', default: '16' },
    top: { type: 'string', default: '25' },
    profile: { type: 'string' },
    'shared-thread': { type: 'boolean', default: false },
  },
});
const log = (msg) => process.stderr.write(`profile: ${msg}\n`);

async function driveRuns(url, total, clients, sharedThread) {
  const input = { messages: [{ role: 'human', content: 'hi' }] };
  let next = 0;
  let errors = 0;
  async function worker() {
    const client = makeClient(url);
    const shared = sharedThread ? (await client.threads.create()).thread_id : null;
    while (next < total) {
      next += 1;
      try {
        const threadId = shared ?? (await client.threads.create()).thread_id;
        const run = await client.runs.create(threadId, 'agent', { input, multitaskStrategy: 'enqueue' });
        await client.runs.join(threadId, run.run_id);
      } catch (err) {
        errors += 1;
        if (errors <= 3) log(`run failed: ${err?.message ?? err}`);
      }
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  return { seconds: (performance.now() - t0) / 1000, errors };
}

/** Self time per node: sample i lasts until sample i+1 (timeDeltas[i+1]); the last one until endTime. */
export function selfTimes(profile, window) {
  const byId = new Map(profile.nodes.map((n) => [n.id, { node: n, us: 0 }]));
  const { samples = [], timeDeltas = [] } = profile;
  let t = profile.startTime;
  const stamps = timeDeltas.map((d) => (t += d));
  for (let i = 0; i < samples.length; i += 1) {
    const until = i + 1 < stamps.length ? stamps[i + 1] : profile.endTime;
    if (window && (stamps[i] < window.fromUs || stamps[i] > window.untilUs)) continue;
    const entry = byId.get(samples[i]);
    if (entry) entry.us += Math.max(0, until - stamps[i]);
  }
  return [...byId.values()];
}

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  return url.replace(`file://${repo}/`, '').replace(`${repo}/`, '');
}

function packageOf(url) {
  if (!url) return '(native/vm)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf('node_modules/')));
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('dist/apps/api')) return 'runhook (dist/apps/api)';
  return shortUrl(url);
}

export function aggregate(profile, window) {
  const fns = new Map();
  const pkgs = new Map();
  let totalUs = 0;
  let idleUs = 0;
  for (const { node, us } of selfTimes(profile, window)) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    totalUs += us;
    if (name === '(idle)') idleUs += us;
    const key = `${name}\u0000${url}`;
    const fn = fns.get(key) ?? { name, where: url ? `${shortUrl(url)}:${lineNumber + 1}` : '', us: 0 };
    fn.us += us;
    fns.set(key, fn);
    const pkg = !url && name.startsWith('(') ? name : packageOf(url);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1].us - a[1].us);
  return {
    totalUs,
    idleUs,
    functions: sorted(fns).map(([, v]) => v),
    packages: [...pkgs].map(([name, us]) => ({ name, us })).sort((a, b) => b.us - a.us),
  };
}

function printReport(agg, { top, runs }) {
  const busy = agg.totalUs - agg.idleUs;
  const ms = (us) => (us / 1000).toFixed(1).padStart(9);
  const pct = (us) => `${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)}%`;
  const out = [];
  out.push(`sampled ${ms(agg.totalUs)} ms, idle ${ms(agg.idleUs)} ms, busy ${ms(busy)} ms`);
  if (runs) out.push(`busy main-thread CPU per run: ${(busy / 1000 / runs).toFixed(2)} ms over ${runs} runs`);
  out.push('', `top ${top} functions by self time (percent of busy time):`);
  for (const f of agg.functions.filter((x) => x.name !== '(idle)').slice(0, top)) {
    out.push(`${ms(f.us)} ms ${pct(f.us)}  ${f.name}  ${f.where}`);
  }
  out.push('', 'self time by package:');
  for (const p of agg.packages.filter((x) => x.name !== '(idle)').slice(0, 15)) {
    out.push(`${ms(p.us)} ms ${pct(p.us)}  ${p.name}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main() {
  const top = Number(opt.top);
  if (opt.profile) {
    printReport(aggregate(JSON.parse(readFileSync(opt.profile, 'utf8'))), { top });
    return;
  }
  installExitHandlers();
  const runs = Number(opt.runs);
  const clients = Number(opt.clients);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(repo, 'tmp/profiles', stamp);
  mkdirSync(dir, { recursive: true });
  const server = await startOurs({ repo, runDir: dir, label: 'runhook', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  log(`server up at ${server.url}; driving ${runs} background runs with ${clients} clients`);
  let result;
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const window = { fromUs: nowUs(), untilUs: Infinity };
  try {
    result = await driveRuns(server.url, runs, clients, opt['shared-thread']);
    window.untilUs = nowUs();
    log(`${runs} runs in ${result.seconds.toFixed(1)} s (${(runs / result.seconds).toFixed(1)} runs/s), ${result.errors} errors`);
  } finally {
    await stopProcess(server.child, { signal: 'SIGINT', graceMs: 30_000 });
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${dir}: did the server exit cleanly on SIGINT? see ${server.logFile}`);
  const file = join(dir, files.sort().at(-1));
  log(`written ${file} (open it in Chrome DevTools or speedscope for the call tree)`);
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  // V8 and process.hrtime share the monotonic clock on Linux: keep only samples taken while runs were driven.
  const aligned = profile.startTime <= window.fromUs && window.untilUs <= profile.endTime;
  const span = `profile ${profile.startTime}..${profile.endTime} us, load ${window.fromUs}..${window.untilUs} us`;
  log(aligned ? 'counting only the load window (start-up and shutdown excluded)' : `clocks differ (${span}): whole profile counted`);
  printReport(aggregate(profile, aligned ? window : undefined), { top, runs });
}

main().catch((err) => {
  process.stderr.write(`profile: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
