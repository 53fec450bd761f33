#!/usr/bin/env node
// Runhook benchmark: drives LangGraph-compatible servers by URL with @langchain/langgraph-sdk and compares
// Runhook with the reference JS dev server side by side. Usage: npm run bench -- --help
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { groupCpuSeconds, installExitHandlers, stopProcess } from './lib/processes.mjs';
import { buildTable, formatTable } from './lib/report.mjs';
import { scalingMode } from './lib/scaling.mjs';
import { backgroundRuns, firstEventLatency, waitLatency } from './lib/scenarios.mjs';
import { floorRuns } from './lib/floor-target.mjs';
import { parseBuild, startOurs, startReference } from './lib/servers.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const HELP = `npm run bench -- [options]

Servers (default: start Runhook from dist/apps/api/main.js and the reference CLI dev server):
  --url <url>              benchmark an already running Runhook instead of starting dist/apps/api/main.js
  --build <label>=<dir>[,KEY=VALUE...]
                           a Runhook build to start from <dir>/dist/apps/api/main.js with its langgraph.json and
                           these variables; repeat to compare builds side by side (default: runhook=<this checkout>)
  --auth                   also run every Runhook build with custom auth on (tools/bench/auth: a bearer token per
                           client, owner stamped and filtered), as <label>+auth
  --auth-for <labels>      only these builds (comma list) get an auth twin (e.g. not a base from before custom auth)
  --rounds <n>             run every target n times, alternating, and report medians (default 1)
  --reference-url <url>    use an already running reference server instead of starting one
  --floor                  also measure the floor: the demo graph alone in one process with the official SQLite
                           saver (tools/bench/floor.mjs), background scenario only; the table adds <first>/floor
  --no-ours                skip Runhook          --no-reference   skip the reference server
  --reference-jobs <n>     reference --n-jobs-per-worker (default 10, like Runhook's N_JOBS_PER_WORKER)
Load:
  --clients <n>            concurrent clients for the background-run scenarios (default 16)
  --duration <s>           measured seconds per background scenario (default 20)
  --warmup <s>             unmeasured seconds before that (default 3)
  --samples <n>            sequential samples for /runs/wait and first-event (default 200)
  --warmup-samples <n>     unmeasured sequential calls first (default 10)
  --max-seconds <s>        time cap per sequential scenario (default 180)
  --scenarios <list>       comma list of bg,bgShared,wait,stream (default all)
Scaling (Runhook only, background runs on new threads, rounds alternating; see README "More cores"):
  --worker-processes <list> e.g. 0,1,2 (RUNHOOK_WORKER_PROCESSES); "2s": 2 workers, the api process runs no graphs
  --replicas <list>        e.g. 1,2,3 replicas (all roles) on one PostgreSQL database; needs --postgres <url>
  --postgres <url>         database for --replicas (a fresh schema per topology, dropped after; nothing else touched)
  --rounds <n>             rounds per topology (default 3)
  --pin-client <cpus>      taskset the load generator to these CPUs; --pin-server <cpus> the servers
Output:
  --out <file>             raw JSON path (default tmp/bench-results/<timestamp>.json)
`;

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    build: { type: 'string', multiple: true, default: [] },
    auth: { type: 'boolean', default: false },
    'auth-for': { type: 'string' },
    // No default here: the scaling modes take 3 rounds when none is given, the side-by-side mode 1.
    rounds: { type: 'string' },
    'reference-url': { type: 'string' },
    'no-ours': { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
    'no-reference': { type: 'boolean', default: false },
    'reference-jobs': { type: 'string' },
    clients: { type: 'string', default: '16' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    samples: { type: 'string', default: '200' },
    'warmup-samples': { type: 'string', default: '10' },
    'max-seconds': { type: 'string', default: '180' },
    scenarios: { type: 'string', default: 'bg,bgShared,wait,stream' },
    out: { type: 'string' },
    'worker-processes': { type: 'string' },
    replicas: { type: 'string' },
    postgres: { type: 'string' },
    'pin-client': { type: 'string' },
    'pin-server': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function num(name, { min = 0, fallback } = {}) {
  const v = Number(opt[name] ?? fallback);
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number >= ${min}`);
  return v;
}

const config = {
  clients: num('clients', { min: 1 }),
  durationS: num('duration', { min: 1 }),
  warmupS: num('warmup'),
  samples: num('samples', { min: 1 }),
  warmupSamples: num('warmup-samples'),
  maxS: num('max-seconds', { min: 1 }),
  scenarios: opt.scenarios.split(',').map((s) => s.trim()).filter(Boolean),
  rounds: num('rounds', { min: 1, fallback: '1' }),
  auth: opt.auth,
};
for (const url of [opt.url, opt['reference-url']]) {
  if (url && !/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(url)) {
    throw new Error(`only loopback URLs are benchmarked, got ${url}`);
  }
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(repo, 'tmp/bench-results');
const runDir = join(resultsDir, stamp);
mkdirSync(runDir, { recursive: true });
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

async function runScenarios(name, url, pgid, tokenFor) {
  const cpuProbe = pgid ? () => groupCpuSeconds(pgid) : undefined;
  const seq = { samples: config.samples, warmup: config.warmupSamples, maxS: config.maxS, cpuProbe, tokenFor };
  const bg = { clients: config.clients, durationS: config.durationS, warmupS: config.warmupS, cpuProbe, tokenFor };
  const plan = {
    bg: () => backgroundRuns(url, { ...bg, sharedThread: false }),
    bgShared: () => backgroundRuns(url, { ...bg, sharedThread: true }),
    wait: () => waitLatency(url, seq),
    stream: () => firstEventLatency(url, seq),
  };
  const scenarios = {};
  for (const key of config.scenarios) {
    if (!plan[key]) throw new Error(`unknown scenario ${key}`);
    log(`${name}: scenario ${key} ...`);
    const t0 = Date.now();
    try {
      scenarios[key] = await plan[key]();
    } catch (err) {
      scenarios[key] = { error: String(err?.stack ?? err) };
      log(`${name}: scenario ${key} failed: ${err?.message ?? err}`);
    }
    scenarios[key].elapsedS = Math.round((Date.now() - t0) / 100) / 10;
  }
  return scenarios;
}

async function benchTarget({ name, externalUrl, start, tokenFor, measure }, round) {
  // A target that is not a server (the floor) measures itself and answers in a round's shape.
  if (measure) return measure(round);
  let server = null;
  const t0 = Date.now();
  try {
    if (externalUrl) {
      log(`${name}: using running server ${externalUrl}`);
    } else {
      log(`${name}: starting server ...`);
      server = await start(round);
      log(`${name}: up at ${server.url} in ${Date.now() - t0} ms (log: ${server.logFile})`);
    }
    const url = externalUrl ?? server.url;
    const loadBefore = loadavg();
    const scenarios = await runScenarios(name, url, server?.child.pid, tokenFor);
    const load = { before: loadBefore, after: loadavg() };
    return { url, external: Boolean(externalUrl), startupMs: server ? Date.now() - t0 : null, log: server?.logFile, load, scenarios };
  } catch (err) {
    log(`${name}: ${err?.message ?? err}`);
    return { error: String(err?.stack ?? err), log: server?.logFile };
  } finally {
    if (server) await stopProcess(server.child);
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const benchUser = (index) => `bench-user-${index}`;

/** What is benchmarked, in order: each Runhook build (and its auth twin), then the reference. */
function targets() {
  const list = [];
  if (!opt['no-ours']) {
    const builds = opt.build.length > 0 ? opt.build.map((spec) => parseBuild(spec, resolve)) : [{ label: 'runhook', dir: repo, env: {} }];
    for (const build of builds) {
      // A fresh database per target and round.
      const start = (variant, extra = {}) => (round) =>
        startOurs({ repo: build.dir, runDir, label: `${variant.replace(/[^\w.-]/g, '_')}-r${round}`, env: build.env, ...extra });
      list.push({ name: build.label, externalUrl: opt.url, start: start(build.label) });
      if (config.auth && (!opt['auth-for'] || opt['auth-for'].split(',').includes(build.label))) {
        const name = `${build.label}+auth`;
        list.push({ name, externalUrl: null, tokenFor: benchUser, start: start(name, { config: join(repo, 'tools/bench/auth/langgraph.json') }) });
      }
    }
  }
  if (opt.floor) {
    list.push({ name: 'floor', measure: (round) => floorRuns({ repo, runDir, round, config, log }) });
  }
  if (!opt['no-reference']) {
    const jobs = opt['reference-jobs'];
    list.push({ name: 'reference', externalUrl: opt['reference-url'], start: () => startReference({ repo, runDir, jobs }) });
  }
  return list;
}

async function main() {
  installExitHandlers();
  if (opt['worker-processes'] || opt.replicas) {
    const scaling = await scalingMode({ repo, runDir, config, opt, log });
    const out = opt.out ? resolve(opt.out) : join(resultsDir, `${stamp}-scaling.json`);
    writeFileSync(out, `${JSON.stringify({ startedAt: stamp, commit: gitCommit(), machine: { node: process.version, cpus: cpus().length }, config, ...scaling }, null, 2)}\n`);
    process.stdout.write(`\n${scaling.table}\nraw results: ${out}\n`);
    return;
  }
  const loadBefore = loadavg();
  const results = {};
  const plan = targets();
  for (let round = 1; round <= config.rounds; round += 1) {
    for (const target of plan) {
      if (config.rounds > 1) log(`round ${round}/${config.rounds}: ${target.name}`);
      const result = await benchTarget(target, round);
      results[target.name] ??= { rounds: [] };
      results[target.name].rounds.push(result);
    }
  }
  const sdkVersion = JSON.parse(readFileSync(join(repo, 'node_modules/@langchain/langgraph-sdk/package.json'), 'utf8')).version;
  const report = {
    startedAt: stamp,
    commit: gitCommit(),
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model },
    sdkVersion,
    config,
    results,
  };
  const out = opt.out ? resolve(opt.out) : join(resultsDir, `${stamp}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const table = buildTable(results);
  process.stdout.write(`\n${formatTable(table)}\n\n`);
  for (const [name, r] of Object.entries(results)) {
    for (const round of r.rounds) if (round.error) process.stdout.write(`${name} failed: ${round.error}\n`);
  }
  if (config.rounds > 1) process.stdout.write(`medians of ${config.rounds} rounds, targets alternated within each round\n`);
  const loads = Object.values(results).flatMap((r) => r.rounds.map((x) => x.load?.before?.[0])).filter((v) => v != null);
  if (loads.length) process.stdout.write(`load average (1 min) at each target's start: ${loads.map((v) => v.toFixed(2)).join(' ')}\n`);
  process.stdout.write(`load average before the run: ${loadBefore.map((v) => v.toFixed(2)).join(' ')} (other work on the machine skews the figures)\n`);
  process.stdout.write(`raw results: ${out}\n`);
  const failed = Object.values(results).some((r) => r.rounds.some((x) => x.error || Object.values(x.scenarios ?? {}).some((s) => s.error)));
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
