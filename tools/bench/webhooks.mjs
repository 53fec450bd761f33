#!/usr/bin/env node
// Webhook delivery benchmark: the real api build (dispatcher, SQLite outbox, undici sender) against a tiny local
// receiver that answers 200 at once. Outbox rows are written through the api's benchmark-only route
// (RUNHOOK_BENCH=1), the way a run end writes them (row committed, then an in-process wake), so graph speed does
// not count:
//   1. throughput: a backlog drained by the dispatcher; a delivery counts once the receiver got it AND its outcome
//      is recorded in the database.
//   2. latency at --rate deliveries/s: outbox write (run_ended_at in the body) → receipt.
//   3. curve: real stateless runs (graph work shares the cores). The build's capacity is measured first (a flood of
//      runs, the rate at which they end), then runs are offered at fractions of it; for each: run end (the run's
//      run_ended_at) → receipt p50/p99, split into end → claimed and sent (webhook_sent_at) and sent → receipt.
// Usage: node tools/bench/webhooks.mjs [--scenarios throughput,latency,curve] [--deliveries 20000] [--rate 200]
//   [--seconds 10] [--fractions 0.5,0.8,1.0,1.2] [--capacity-runs 1500] [--rounds 1]
//   [--builds before=tmp/base/dist/apps/api/main.js,after=dist/apps/api/main.js] [--env KEY=V,KEY=V]
//   (a build may carry its own settings: normal=dist/apps/api/main.js@RUNHOOK_SQLITE_SYNCHRONOUS=normal)
// With several builds, each round runs every build in turn (fresh database each), the curve at the same offered rates
// (fractions of the first build's capacity measured in that round), and medians over rounds are printed.
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { summarize } from './lib/stats.mjs';
import { startTimingReceiver, webhookCurve } from './lib/webhook-curve.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const API_MAIN = join(ROOT, 'dist/apps/api/main.js');
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const SCENARIOS = String(args.scenarios ?? 'throughput,latency,curve').split(',');
const FRACTIONS = String(args.fractions ?? '0.5,0.8,1.0,1.2').split(',').map(Number);
const CAPACITY_RUNS = Number(args['capacity-runs'] ?? 1500);
const ROUNDS = Number(args.rounds ?? 1);
// label=path[@KEY=VALUE;KEY=VALUE]: a build, and settings for it alone (the same build with two settings compares them).
const BUILDS = String(args.builds ?? `this=${API_MAIN}`).split(',').map((b) => {
  const [spec, settings = ''] = b.split('@');
  const [label, path] = spec.includes('=') ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : [spec, spec];
  return { label, main: resolve(ROOT, path), env: Object.fromEntries(settings.split(';').filter(Boolean).map((kv) => kv.split('='))) };
});
const EXTRA_ENV = Object.fromEntries(String(args.env ?? '').split(',').filter(Boolean).map((kv) => kv.split('=')));
const DELIVERIES = Number(args.deliveries ?? 20_000);
const RATE = Number(args.rate ?? 200);
const SECONDS = Number(args.seconds ?? 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((res) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** The receiver: answers at once, remembers arrival time and the run-end latency of each body. */
async function startReceiver() {
  const seen = { count: 0, first: 0, last: 0, latencies: [], ids: new Set() };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      const now = Date.now();
      seen.count += 1;
      seen.first ||= now;
      seen.last = now;
      seen.ids.add(request.headers['webhook-id']);
      const body = Buffer.concat(chunks).toString();
      const ended = /"run_ended_at":"([^"]+)"/.exec(body)?.[1];
      if (ended) seen.latencies.push(now - Date.parse(ended));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { seen, port: server.address().port, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

async function startApi(databasePath, main = API_MAIN, buildEnv = {}) {
  const port = await freePort();
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): node flags for the api, which NODE_OPTIONS refuses.
  const nodeArgs = String(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: ROOT,
    env: { ...process.env, RUNHOOK_BENCH: '1', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databasePath, WEBHOOK_SIGNING_SECRETS: `whsec_${Buffer.alloc(32, 9).toString('base64')}`, ...EXTRA_ENV, ...buildEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(log);
    try {
      if ((await fetch(`${url}/ok`)).ok) return { url, child, log: () => log };
    } catch {
      // starting
    }
    await sleep(100);
  }
  throw new Error(`api did not start\n${log}`);
}

function writeOutbox(api, url, count) {
  return fetch(`${api.url}/internal/bench/webhook-deliveries`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, count }) }).then((r) => {
    if (r.status !== 202) throw new Error(`bench route answered ${r.status}`);
    return r.arrayBuffer();
  });
}

async function throughput(api, db, receiver) {
  const url = `http://127.0.0.1:${receiver.port}/bench?token=t`;
  const done = db.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'succeeded' AND url = ?");
  const started = Date.now();
  for (let written = 0; written < DELIVERIES; written += 1_000) await writeOutbox(api, url, Math.min(1_000, DELIVERIES - written));
  let recordedAt = 0;
  for (let i = 0; i < 1200 && !recordedAt; i += 1) {
    await sleep(20);
    if (done.get(url).n >= DELIVERIES) recordedAt = Date.now();
  }
  if (!recordedAt) throw new Error(`only ${done.get(url).n}/${DELIVERIES} recorded after 24 s`);
  const seconds = (recordedAt - started) / 1000;
  return { deliveries: DELIVERIES, received: receiver.seen.count, unique: receiver.seen.ids.size, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round(DELIVERIES / seconds) };
}

async function outboxLatency(api, receiver) {
  const url = `http://127.0.0.1:${receiver.port}/steady?token=t`;
  receiver.seen.latencies = [];
  const total = RATE * SECONDS;
  const tickMs = 20;
  const started = Date.now();
  let written = 0;
  while (written < total) {
    const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * RATE));
    if (due > written) {
      const count = due - written;
      written = due;
      await writeOutbox(api, url, count);
    }
    await sleep(tickMs);
  }
  for (let i = 0; i < 300 && receiver.seen.latencies.length < total; i += 1) await sleep(20);
  return { rate: RATE, deliveries: total, delivered: receiver.seen.latencies.length, latencyMs: summarize(receiver.seen.latencies) };
}

async function stopApi(api) {
  api.child.kill('SIGTERM');
  await new Promise((r) => (api.child.exitCode !== null ? r() : api.child.once('exit', r)));
}

/** The dispatcher alone, one build on a fresh database: backlog throughput and outbox-write latency (no graph work). */
async function outboxScenarios(build) {
  const folder = mkdtempSync(join(tmpdir(), 'runhook-bench-webhooks-'));
  const databasePath = join(folder, 'runhook.sqlite');
  const receiver = await startReceiver();
  const api = await startApi(databasePath, build.main, build.env);
  const db = new Database(databasePath);
  db.pragma('busy_timeout = 5000');
  const out = {};
  try {
    if (SCENARIOS.includes('throughput')) {
      const drained = (out.throughput = await throughput(api, db, receiver));
      console.log(`${build.label}: throughput ${drained.perSecond} durable deliveries/s (${drained.deliveries} written, sent and recorded in ${drained.seconds} s; ${drained.unique} unique webhook-ids)`);
    }
    if (SCENARIOS.includes('latency')) {
      const steady = (out.latency = await outboxLatency(api, receiver));
      console.log(`${build.label}: latency at ${steady.rate} deliveries/s (${steady.delivered}/${steady.deliveries}): run end (outbox write) → receipt p50 ${steady.latencyMs.p50} ms, p99 ${steady.latencyMs.p99} ms, max ${steady.latencyMs.max} ms`);
    }
  } finally {
    db.close();
    await stopApi(api);
    await receiver.stop();
    rmSync(folder, { recursive: true, force: true });
  }
  return out;
}

/** Every build once per round, alternating, so builds compared share the machine's state; medians over rounds. */
async function outboxRounds() {
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const build of BUILDS) {
      const loadBefore = loadavg()[0];
      rounds.push({ round, build: build.label, loadBefore, ...(await outboxScenarios(build)) });
    }
  }
  const loads = rounds.map((r) => r.loadBefore.toFixed(2)).join(', ');
  console.log(`\nmedians of ${ROUNDS} round(s), builds alternated (load average 1 min before each: ${loads})`);
  console.log(`| build | durable deliveries/s | against ${BUILDS[0].label} | outbox → receipt p50 / p99 ms at ${RATE}/s |`);
  console.log('| --- | --- | --- | --- |');
  const first = median(rounds.filter((r) => r.build === BUILDS[0].label).map((r) => r.throughput?.perSecond));
  for (const { label } of BUILDS) {
    const mine = rounds.filter((r) => r.build === label);
    const perSecond = median(mine.map((r) => r.throughput?.perSecond));
    const ratio = perSecond && first ? `${(perSecond / first).toFixed(2)}x` : '';
    const p50 = median(mine.map((r) => r.latency?.latencyMs.p50));
    const latency = p50 === null ? 'not run' : `${p50} / ${median(mine.map((r) => r.latency?.latencyMs.p99))}`;
    console.log(`| ${label} | ${perSecond ?? ''} | ${ratio} | ${latency} |`);
  }
  return rounds;
}

const median = (values) => {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};

/** Every build once per round, alternating, each on a fresh database; medians over rounds per (build, fraction). */
async function curveScenario() {
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const build of BUILDS) {
      const folder = mkdtempSync(join(tmpdir(), 'runhook-bench-curve-'));
      const receiver = await startTimingReceiver();
      const api = await startApi(join(folder, 'runhook.sqlite'), build.main, build.env);
      const load = loadavg()[0];
      try {
        const baseRate = rounds.find((r) => r.round === round)?.capacity.runsPerSecond ?? null;
        const curve = await webhookCurve(api.url, receiver, { fractions: FRACTIONS, seconds: SECONDS, capacityRuns: CAPACITY_RUNS, tag: `r${round}`, baseRate });
        rounds.push({ round, build: build.label, loadBefore: load, loadAfter: loadavg()[0], ...curve });
        console.log(`round ${round} ${build.label}: capacity ${curve.capacity.runsPerSecond} runs/s (load ${load.toFixed(2)}); ` +
          curve.points.map((p) => `${p.fraction}x → p50 ${p.endToReceiptMs.p50} / p99 ${p.endToReceiptMs.p99} ms`).join('; '));
      } finally {
        await stopApi(api);
        await receiver.stop();
        rmSync(folder, { recursive: true, force: true });
      }
    }
  }
  console.log(`\nrun end → receipt, medians of ${ROUNDS} round(s) (load average 1 min before each: ${rounds.map((r) => r.loadBefore.toFixed(1)).join(', ')})`);
  console.log('| build | own capacity runs/s | offered (x capacity) | offered runs/s | ended runs/s | end→receipt p50 / p99 ms | end→sent p50 / p99 ms | sent→receipt p50 / p99 ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const { label } of BUILDS) {
    const mine = rounds.filter((r) => r.build === label);
    const capacity = median(mine.map((r) => r.capacity.runsPerSecond));
    for (const fraction of FRACTIONS) {
      const pts = mine.map((r) => r.points.find((p) => p.fraction === fraction));
      const m = (pick) => median(pts.map(pick));
      console.log(`| ${label} | ${capacity} | ${fraction} | ${m((p) => p.rate)} | ${m((p) => p.endedPerSecond)} | ${m((p) => p.endToReceiptMs.p50)} / ${m((p) => p.endToReceiptMs.p99)} | ${m((p) => p.endToSentMs.p50)} / ${m((p) => p.endToSentMs.p99)} | ${m((p) => p.sentToReceiptMs.p50)} / ${m((p) => p.sentToReceiptMs.p99)} |`);
    }
  }
  return rounds;
}

async function main() {
  for (const { main } of BUILDS) if (!existsSync(main)) spawnSync('npx', ['nx', 'build', 'api'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
  const result = {};
  if (SCENARIOS.includes('throughput') || SCENARIOS.includes('latency')) result.outbox = await outboxRounds();
  if (SCENARIOS.includes('curve')) result.curve = await curveScenario();
  const out = join(ROOT, 'tmp/bench-results', `webhooks-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`raw results: ${out}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
