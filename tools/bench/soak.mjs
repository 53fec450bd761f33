#!/usr/bin/env node
// Soak benchmark: does the server's memory stay flat over many runs? Drives --runs stateless runs, every one with a
// webhook to a recording receiver on 127.0.0.1; half are background runs (the client waits for the webhook), half are
// streamed to clients that read slowly (a pause after every chunk). At 1k, 5k, 10k, 15k and 20k finished runs it
// forces a full GC in the server and reads its heap (V8 inspector, `HeapProfiler.collectGarbage` then
// `Runtime.getHeapUsage`: no code in the server) and its RSS (/proc/<pid>/status VmRSS).
// Usage: node tools/bench/soak.mjs [--repo <checkout with dist/>] [--runs 20000] [--concurrency 16]
//        [--max-seconds 540] [--slow-ms 2] [--postgres <url>: an api-only and a worker-only process on PostgreSQL]
import { execFileSync } from 'node:child_process';
import { createServer, request } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { WebSocket } from 'undici';
import { freePort, installExitHandlers, startProcess, stopProcess, waitForOk } from './lib/processes.mjs';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    repo: { type: 'string', default: here },
    runs: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    'max-seconds': { type: 'string', default: '540' },
    'slow-ms': { type: 'string', default: '2' },
    words: { type: 'string', default: '40' },
    postgres: { type: 'string' },
    out: { type: 'string' },
  },
});
const repo = resolve(opt.repo);
const RUNS = Number(opt.runs);
const CONCURRENCY = Number(opt.concurrency);
const MAX_MS = Number(opt['max-seconds']) * 1000;
const SLOW_MS = Number(opt['slow-ms']);
const TEXT = Array.from({ length: Number(opt.words) }, (_, i) => `word${i}`).join(' ');
const MILESTONES = [1_000, 5_000, 10_000, 15_000, 20_000].filter((m) => m <= RUNS);
if (!MILESTONES.includes(RUNS)) MILESTONES.push(RUNS);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) => process.stderr.write(`soak: ${msg}\n`);

/** Records every delivery; resolves the waiter of a run when its webhook arrives. */
async function startReceiver() {
  const state = { count: 0, ids: new Set(), runs: new Set(), waiting: new Map() };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      state.count += 1;
      state.ids.add(req.headers['webhook-id']);
      const runId = /"run_id":"([^"]+)"/.exec(Buffer.concat(chunks).toString())?.[1];
      if (runId) {
        state.runs.add(runId);
        state.waiting.get(runId)?.();
        state.waiting.delete(runId);
      }
      res.writeHead(200).end('{}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const arrival = (runId, timeoutMs) =>
    state.runs.has(runId)
      ? Promise.resolve()
      : new Promise((res, rej) => {
          const timer = setTimeout(() => {
            state.waiting.delete(runId);
            rej(new Error(`no webhook for ${runId} after ${timeoutMs} ms`));
          }, timeoutMs);
          state.waiting.set(runId, () => {
            clearTimeout(timer);
            res();
          });
        });
  return { state, arrival, url: `http://127.0.0.1:${server.address().port}/hook?token=soak`, stop: () => new Promise((r) => (server.closeAllConnections(), server.close(r))) };
}

/** A V8 inspector session on the server: full GC, then the heap in use. */
async function inspector(port) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((res, rej) => ((socket.onopen = res), (socket.onerror = rej)));
  let nextId = 1;
  const pending = new Map();
  socket.onmessage = (message) => {
    const reply = JSON.parse(message.data);
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  };
  const call = (method, params = {}) =>
    new Promise((res, rej) => {
      const id = nextId++;
      pending.set(id, (reply) => (reply.error ? rej(new Error(reply.error.message)) : res(reply.result)));
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    async heapAfterGc() {
      await call('HeapProfiler.collectGarbage');
      return (await call('Runtime.getHeapUsage')).usedSize;
    },
    close: () => socket.close(),
  };
}

function rssBytes(pid) {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

async function startServer({ label, runDir, env, http }) {
  const main = join(repo, 'dist/apps/api/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build it first (NX_DAEMON=false npx nx build api)`);
  const inspectPort = await freePort();
  const port = await freePort();
  const logFile = join(runDir, `${label}.log`);
  const child = startProcess(process.execPath, [`--inspect=127.0.0.1:${inspectPort}`, main], {
    cwd: repo,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), RUNHOOK_CONFIG: join(repo, 'langgraph.json'), ...env },
    logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  if (http) await waitForOk(url, { child, logFile });
  else await sleep(4_000);
  if (child.exitInfo) throw new Error(`${label} exited at start; see ${logFile}`);
  return { label, url, child, inspector: await inspector(inspectPort) };
}

function postJson(url, body) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    if (!r.ok) throw new Error(`${url} answered ${r.status}: ${await r.text()}`);
    return r.json();
  });
}

/** Streams a run, reading one chunk at a time with a pause after each: a slow client, never a stalled one. */
function slowStream(apiUrl, body) {
  return new Promise((res, rej) => {
    const req = request(`${apiUrl}/runs/stream`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      if (response.statusCode !== 200) return rej(new Error(`stream answered ${response.statusCode}`));
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
        response.pause();
        setTimeout(() => response.resume(), SLOW_MS);
      });
      response.on('end', () => (/event: error/.test(text) ? rej(new Error(`error event: ${text.slice(-300)}`)) : res(text.length)));
      response.on('error', rej);
    });
    req.on('error', rej);
    req.end(JSON.stringify(body));
  });
}

async function main() {
  installExitHandlers();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = join(here, 'tmp/bench-results', `soak-${stamp}`);
  mkdirSync(runDir, { recursive: true });
  const receiver = await startReceiver();
  const servers = [];
  let dropSchema = async () => undefined;
  if (opt.postgres) {
    const schema = `soak_${Date.now()}`;
    const admin = new pg.Client({ connectionString: opt.postgres });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    dropSchema = async () => {
      const c = new pg.Client({ connectionString: opt.postgres });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    };
    const DATABASE_URL = `${opt.postgres}${opt.postgres.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const api = await startServer({ label: 'api', runDir, http: true, env: { DATABASE_URL, RUNHOOK_ROLES: 'api' } });
    servers.push(api);
    // A worker-only replica is told where relative webhook URLs go (the demo langgraph.json allows them).
    const workerEnv = { DATABASE_URL, RUNHOOK_ROLES: 'worker,scheduler', RUNHOOK_SELF_URL: api.url };
    servers.push(await startServer({ label: 'worker', runDir, http: false, env: workerEnv }));
  } else {
    servers.push(await startServer({ label: 'server', runDir, http: true, env: { DATABASE_URL: join(runDir, 'runhook.sqlite') } }));
  }
  const api = servers[0];
  const samples = [];
  let finished = 0;
  let started = 0;
  let errors = 0;
  const firstErrors = [];
  let sampling = Promise.resolve();
  const t0 = Date.now();
  const sample = (runs) => {
    sampling = sampling.then(async () => {
      const row = { runs, seconds: Math.round((Date.now() - t0) / 100) / 10, load: loadavg()[0] };
      for (const server of servers) {
        row[`${server.label}HeapMB`] = Math.round((await server.inspector.heapAfterGc()) / 1e5) / 10;
        row[`${server.label}RssMB`] = Math.round(rssBytes(server.child.pid) / 1e5) / 10;
      }
      samples.push(row);
      log(JSON.stringify(row));
    });
  };
  const input = { messages: [{ role: 'human', content: TEXT }] };
  async function client() {
    while (started < RUNS && Date.now() - t0 < MAX_MS) {
      const index = started++;
      try {
        const body = { assistant_id: 'agent', input, webhook: receiver.url };
        if (index % 2 === 0) {
          const run = await postJson(`${api.url}/runs`, body);
          await receiver.arrival(run.run_id, 60_000);
        } else {
          await slowStream(api.url, { ...body, stream_mode: ['values', 'messages-tuple'] });
        }
      } catch (error) {
        errors += 1;
        if (firstErrors.length < 5) firstErrors.push(String(error?.message ?? error).slice(0, 300));
      }
      finished += 1;
      if (MILESTONES.includes(finished)) sample(finished);
    }
  }
  try {
    log(`${RUNS} runs, ${CONCURRENCY} clients, half streamed with a ${SLOW_MS} ms pause per chunk; repo ${repo}`);
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    const seconds = (Date.now() - t0) / 1000;
    if (!MILESTONES.includes(finished)) sample(finished);
    await sampling;
    for (let i = 0; i < 600 && receiver.state.runs.size < finished - errors; i += 1) await sleep(100);
    const warm = samples[0];
    const last = samples[samples.length - 1];
    const growth = (key) => (warm && last && warm[key] ? Math.round(((last[key] - warm[key]) / warm[key]) * 1000) / 10 : null);
    const report = {
      repo,
      commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim(),
      runs: finished,
      errors,
      firstErrors,
      seconds: Math.round(seconds),
      runsPerSecond: Math.round(finished / seconds),
      deliveries: receiver.state.count,
      uniqueWebhookIds: receiver.state.ids.size,
      runsWithWebhook: receiver.state.runs.size,
      samples,
      growthAfterWarmupPercent: Object.fromEntries(Object.keys(last ?? {}).filter((k) => k.endsWith('MB')).map((k) => [k, growth(k)])),
    };
    const out = opt.out ? resolve(opt.out) : join(runDir, 'soak.json');
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\nraw: ${out}\n`);
  } finally {
    for (const server of servers) {
      server.inspector.close();
      await stopProcess(server.child);
    }
    await receiver.stop();
    await dropSchema();
  }
}

main().catch((error) => {
  process.stderr.write(`soak: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
