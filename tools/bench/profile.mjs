#!/usr/bin/env node
// CPU profile of Runhook under background-run load: starts dist/apps/api/main.js with --cpu-prof, drives N runs
// (create thread -> create run -> join) from C concurrent SDK clients, stops the server with SIGINT so V8 writes
// the profile, then prints the top self-time functions and packages.
// Usage: node tools/bench/profile.mjs [--runs 500] [--clients 16] [--top 25] [--shared-thread | --wait] [--repo <checkout>]
//                                     [--env KEY=VALUE ...]
//        --wait: stateless `runs.wait` calls instead (the /runs/wait scenario's path: a temporary thread, deleted after)
//        node tools/bench/profile.mjs --profile <dir or file.cpuprofile>   (re-print an existing profile)
//        node tools/bench/profile.mjs --diff <dir A> <dir B>               (per-run cost by function, B against A)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { groupCpuSeconds, installExitHandlers, stopProcess } from './lib/processes.mjs';
import { aggregate, formatDiff, formatReport } from './lib/profile-report.mjs';
import { makeClient } from './lib/scenarios.mjs';
import { startOurs } from './lib/servers.mjs';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '500' },
    clients: { type: 'string', default: '16' },
    top: { type: 'string', default: '25' },
    profile: { type: 'string' },
    diff: { type: 'boolean', default: false },
    repo: { type: 'string', default: here },
    env: { type: 'string', multiple: true, default: [] },
    'shared-thread': { type: 'boolean', default: false },
    wait: { type: 'boolean', default: false },
  },
});
const repo = resolve(opt.repo);
const log = (msg) => process.stderr.write(`profile: ${msg}\n`);

async function driveRuns(url, total, clients, { sharedThread, wait }) {
  const input = { messages: [{ role: 'human', content: 'hi' }] };
  let next = 0;
  let errors = 0;
  async function worker() {
    const client = makeClient(url);
    const shared = sharedThread ? (await client.threads.create()).thread_id : null;
    while (next < total) {
      next += 1;
      try {
        if (wait) {
          await client.runs.wait(null, 'agent', { input });
          continue;
        }
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

/** A profile directory (as written by a profiling run, with its summary) or a bare .cpuprofile file. */
function loadProfile(path) {
  const isDir = statSync(path).isDirectory();
  const dir = isDir ? path : dirname(path);
  const summaryFile = join(dir, 'profile-summary.json');
  const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : {};
  const file = isDir ? join(dir, summary.file ?? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1)) : path;
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const agg = aggregate(profile, summary.window, summary.repo ?? repo);
  return { agg, runs: summary.runs, cpuMsPerRun: summary.cpuMsPerRun ?? null };
}

function commitOf(dir) {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function main() {
  const top = Number(opt.top);
  if (opt.diff) {
    if (positionals.length !== 2) throw new Error('--diff takes two profile directories (A, then B)');
    process.stdout.write(`${formatDiff(loadProfile(positionals[0]), loadProfile(positionals[1]), { top })}\n`);
    return;
  }
  if (opt.profile) {
    process.stdout.write(`${formatReport(loadProfile(opt.profile).agg, { top })}\n`);
    return;
  }
  installExitHandlers();
  const runs = Number(opt.runs);
  const clients = Number(opt.clients);
  const env = Object.fromEntries(opt.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(here, 'tmp/profiles', stamp);
  mkdirSync(dir, { recursive: true });
  const server = await startOurs({ repo, runDir: dir, label: 'runhook', env, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const kind = opt.wait ? 'stateless runs.wait calls' : 'background runs';
  log(`server up at ${server.url} (${repo}); driving ${runs} ${kind} with ${clients} clients`);
  let result;
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const window = { fromUs: nowUs(), untilUs: Infinity };
  const cpu0 = groupCpuSeconds(server.child.pid);
  let cpuMsPerRun = null;
  try {
    result = await driveRuns(server.url, runs, clients, { sharedThread: opt['shared-thread'], wait: opt.wait });
    window.untilUs = nowUs();
    const cpu1 = groupCpuSeconds(server.child.pid);
    if (cpu0 != null && cpu1 != null) cpuMsPerRun = ((cpu1 - cpu0) * 1000) / runs;
    log(`${runs} runs in ${result.seconds.toFixed(1)} s (${(runs / result.seconds).toFixed(1)} runs/s), ${result.errors} errors`);
  } finally {
    await stopProcess(server.child, { signal: 'SIGINT', graceMs: 30_000 });
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${dir}: did the server exit cleanly on SIGINT? see ${server.logFile}`);
  const file = files.sort().at(-1);
  log(`written ${join(dir, file)} (open it in Chrome DevTools or speedscope for the call tree)`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  // V8 and process.hrtime share the monotonic clock on Linux: keep only samples taken while runs were driven.
  const aligned = profile.startTime <= window.fromUs && window.untilUs <= profile.endTime;
  const span = `profile ${profile.startTime}..${profile.endTime} us, load ${window.fromUs}..${window.untilUs} us`;
  log(aligned ? 'counting only the load window (start-up and shutdown excluded)' : `clocks differ (${span}): whole profile counted`);
  const summary = { file, repo, commit: commitOf(repo), env, runs, clients, cpuMsPerRun, window: aligned ? window : undefined };
  writeFileSync(join(dir, 'profile-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${formatReport(aggregate(profile, summary.window, repo), { top, runs, cpuMsPerRun })}\n`);
  process.stdout.write(`profile directory (for --profile / --diff): ${dir}\n`);
}

main().catch((err) => {
  process.stderr.write(`profile: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
