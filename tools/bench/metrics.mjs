#!/usr/bin/env node
// /metrics scrape time with a large runs table: the real api build on a fresh SQLite file (or --database
// postgres://...), --runs background runs created over HTTP, half of them delayed an hour (they stay pending: the
// queue-depth count walks them at every scrape) and half executed; then --scrapes sequential scrapes, timed from
// request to last byte. Reports p50/p99 in ms and the load average (the machine is shared: read it with that).
// Usage: node tools/bench/metrics.mjs [--runs 10000] [--scrapes 300] [--workers 0] [--database <url>]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const API_MAIN = join(ROOT, 'dist/apps/api/main.js');
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const RUNS = Number(args.runs ?? 10_000);
const SCRAPES = Number(args.scrapes ?? 300);
const WORKERS = String(args.workers ?? 0);
const CONCURRENCY = 32;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((res) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function startApi() {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run "npx nx build api" first`);
  const dir = mkdtempSync(join(tmpdir(), 'runhook-bench-metrics-'));
  const port = await freePort();
  const child = spawn(process.execPath, [API_MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: args.database ?? join(dir, 'bench.sqlite'),
      RUNHOOK_CONFIG: join(ROOT, 'langgraph.json'),
      RUNHOOK_WORKER_PROCESSES: WORKERS,
      RUNHOOK_SQLITE_SYNCHRONOUS: 'normal',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (await fetch(`${url}/ok`).then((r) => r.ok, () => false)) break;
    await sleep(100);
  }
  return { url, child, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); rmSync(dir, { recursive: true, force: true }); } };
}

function metricValue(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

async function endedRuns(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return ['success', 'error', 'interrupted'].reduce((sum, status) => sum + metricValue(text, `runhook_runs_ended_total{status="${status}"}`), 0);
}

/** A kept-alive socket the server has just closed answers ECONNRESET: try again on a new one. */
async function withRetries(request) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(50 * attempt);
    }
  }
}

async function createRuns(url) {
  let next = 0;
  const body = (index) =>
    JSON.stringify({
      assistant_id: 'agent',
      input: { messages: [{ role: 'human', content: `bench ${index}` }] },
      // Every other run waits an hour: it stays in the queue the scrape counts.
      ...(index % 2 === 0 ? { after_seconds: 3600 } : {}),
      on_completion: 'keep',
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < RUNS) {
        const index = next++;
        const response = await withRetries(() => fetch(`${url}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(index) }));
        if (!response.ok) throw new Error(`POST /runs answered ${response.status}: ${await response.text()}`);
      }
    }),
  );
}

const api = await startApi();
try {
  const started = Date.now();
  await createRuns(api.url);
  const executed = Math.floor(RUNS / 2);
  while ((await endedRuns(api.url)) < executed) await sleep(500);
  console.error(`created ${RUNS} runs (${executed} executed, ${RUNS - executed} pending) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const pending = metricValue(text, 'runhook_runs_pending');
  // A few scrapes first: the first ones compile statements and warm the caches.
  for (let i = 0; i < 10; i++) await (await fetch(`${api.url}/metrics`)).text();
  const samples = [];
  for (let i = 0; i < SCRAPES; i++) {
    const t0 = performance.now();
    await (await fetch(`${api.url}/metrics`)).text();
    samples.push(performance.now() - t0);
  }
  const result = {
    database: args.database ? 'postgres' : 'sqlite',
    runs: RUNS,
    pending,
    worker_processes: Number(WORKERS),
    scrape_ms: summarize(samples),
    bytes: text.length,
    loadavg: loadavg().map((v) => Math.round(v * 100) / 100),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await api.stop();
}
