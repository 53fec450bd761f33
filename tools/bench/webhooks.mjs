#!/usr/bin/env node
// Webhook delivery benchmark: the real api build (dispatcher, SQLite outbox, undici sender) against a tiny local
// receiver that answers 200 at once. Outbox rows are written through the api's benchmark-only route
// (RUNHOOK_BENCH=1), the way a run end writes them (row committed, then an in-process wake), so graph speed does
// not count:
//   1. throughput: a backlog drained by the dispatcher; a delivery counts once the receiver got it AND its outcome
//      is recorded in the database.
//   2. latency at --rate deliveries/s: outbox write (run_ended_at in the body) → receipt.
//   3. the same with real stateless runs at --rate runs/s (graph work shares the 2 cores).
// Usage: node tools/bench/webhooks.mjs [--deliveries 20000] [--rate 200] [--seconds 10]
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const API_MAIN = join(ROOT, 'dist/apps/api/main.js');
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
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

async function startApi(databasePath) {
  const port = await freePort();
  const child = spawn(process.execPath, [API_MAIN], {
    cwd: ROOT,
    env: { ...process.env, RUNHOOK_BENCH: '1', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databasePath, WEBHOOK_SIGNING_SECRETS: `whsec_${Buffer.alloc(32, 9).toString('base64')}` },
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

async function runLatency(api, receiver) {
  const webhook = `http://127.0.0.1:${receiver.port}/runs?token=t`;
  receiver.seen.latencies = [];
  const total = RATE * SECONDS;
  const tickMs = 50;
  const perTick = (RATE * tickMs) / 1000;
  const started = Date.now();
  let sent = 0;
  let errors = 0;
  const posts = [];
  while (sent < total) {
    const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * RATE) + perTick);
    while (sent < due) {
      sent += 1;
      posts.push(
        fetch(`${api.url}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assistant_id: 'agent', input: { messages: [{ role: 'human', content: `bench ${sent}` }] }, webhook }) })
          .then((r) => (r.ok ? r.arrayBuffer() : (errors += 1)))
          .catch(() => (errors += 1)),
      );
    }
    await sleep(tickMs);
  }
  await Promise.all(posts);
  for (let i = 0; i < 600 && receiver.seen.latencies.length < total - errors; i += 1) await sleep(100);
  const elapsed = (Date.now() - started) / 1000;
  return { rate: RATE, runs: total, errors, delivered: receiver.seen.latencies.length, achievedPerSecond: Math.round(receiver.seen.latencies.length / elapsed), latencyMs: summarize(receiver.seen.latencies) };
}

async function main() {
  if (!existsSync(API_MAIN)) spawnSync('npx', ['nx', 'build', 'api'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
  const folder = mkdtempSync(join(tmpdir(), 'runhook-bench-webhooks-'));
  const databasePath = join(folder, 'runhook.sqlite');
  const receiver = await startReceiver();
  const api = await startApi(databasePath);
  const db = new Database(databasePath);
  db.pragma('busy_timeout = 5000');
  try {
    const drained = await throughput(api, db, receiver);
    console.log(`throughput: ${drained.perSecond} durable deliveries/s (${drained.deliveries} written, sent and recorded in ${drained.seconds} s; ${drained.unique} unique webhook-ids)`);
    const steady = await outboxLatency(api, receiver);
    console.log(`latency at ${steady.rate} deliveries/s (${steady.delivered}/${steady.deliveries}): run end (outbox write) → receipt p50 ${steady.latencyMs.p50} ms, p99 ${steady.latencyMs.p99} ms, max ${steady.latencyMs.max} ms`);
    const timed = await runLatency(api, receiver);
    console.log(`with real runs at ${timed.rate} runs/s (${timed.runs} runs, ${timed.errors} errors, ${timed.achievedPerSecond}/s delivered): run end → receipt p50 ${timed.latencyMs.p50} ms, p99 ${timed.latencyMs.p99} ms, max ${timed.latencyMs.max} ms`);
    console.log(JSON.stringify({ throughput: drained, latency: steady, withRuns: timed }, null, 2));
  } finally {
    db.close();
    api.child.kill('SIGTERM');
    await new Promise((r) => (api.child.exitCode !== null ? r() : api.child.once('exit', r)));
    await receiver.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
