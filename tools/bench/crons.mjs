#!/usr/bin/env node
// Cron firing benchmark: 1,000 crons due at the same second of every minute (the burst at :00) plus 20 crons every
// second, on the built server and a fresh SQLite file. Reports firing lag (scheduled time to run created) p50/p99
// and missed or duplicate firings. Usage: node tools/bench/crons.mjs [--duration 180] [--burst 1000] [--per-second 20]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(repo, 'package.json'));
const Database = require('better-sqlite3');
const { Client } = require('@langchain/langgraph-sdk');

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '180' },
    burst: { type: 'string', default: '1000' },
    'per-second': { type: 'string', default: '20' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  console.log('node tools/bench/crons.mjs [--duration <s> (180)] [--burst <n> (1000)] [--per-second <n> (20)] [--out <file>]');
  process.exit(0);
}
const durationMs = Number(options.duration) * 1000;
const burstCount = Number(options.burst);
const perSecondCount = Number(options['per-second']);

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Every slot of a 6-field `S * * * * *` or `* * * * * *` schedule in (fromMs, toMs]. */
function expectedSlots(schedule, fromMs, toMs) {
  const slots = [];
  const step = schedule.startsWith('*') ? 1000 : 60_000;
  for (let slot = Math.floor(fromMs / step) * step + step; slot <= toMs; slot += step) slots.push(slot);
  return slots;
}

async function main() {
  const entry = join(repo, 'dist/apps/api/main.js');
  if (!existsSync(entry)) throw new Error('build first: NX_DAEMON=false npx nx build api');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(repo, 'tmp/bench-results', `crons-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const databaseUrl = join(dir, 'store.sqlite');
  const port = await freePort();
  const server = spawn(process.execPath, [entry], {
    cwd: repo,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databaseUrl, RUNHOOK_CONFIG: join(repo, 'langgraph.json') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('server did not come up');
      try {
        if ((await fetch(`${url}/ok`)).ok) break;
      } catch {
        /* not yet */
      }
      await sleep(100);
    }
    const client = new Client({ apiUrl: url });
    // The burst: every cron fires at second 0 of each minute, 6-field so the test does not wait for an hour mark.
    const specs = [
      ...Array.from({ length: burstCount }, () => ({ kind: 'burst', schedule: '0 * * * * *' })),
      ...Array.from({ length: perSecondCount }, () => ({ kind: 'perSecond', schedule: '* * * * * *' })),
    ];
    const created = [];
    for (let i = 0; i < specs.length; i += 20) {
      const batch = specs.slice(i, i + 20);
      const crons = await Promise.all(batch.map((spec) => client.crons.create('agent', { schedule: spec.schedule, input: { messages: [] }, onRunCompleted: 'keep' })));
      crons.forEach((cron, j) => created.push({ ...batch[j], cronId: cron.cron_id }));
    }
    const startMs = Date.now();
    console.log(`created ${created.length} crons; measuring for ${durationMs / 1000} s`);
    await sleep(durationMs);
    const endMs = Date.now();
    // Stop firing before reading: slots up to endMs - 1 s must have fired by then.
    for (let i = 0; i < created.length; i += 20) {
      await Promise.all(created.slice(i, i + 20).map((cron) => client.crons.update(cron.cronId, { enabled: false })));
    }
    await sleep(500);

    const db = new Database(databaseUrl, { readonly: true });
    const firings = db.prepare('SELECT cron_id, scheduled_at, lag_ms FROM cron_firings').all();
    const runs = db
      .prepare("SELECT json_extract(metadata, '$.cron_id') AS cron_id, json_extract(metadata, '$.cron_scheduled_at') AS slot, COUNT(*) AS n FROM runs WHERE json_extract(metadata, '$.cron_id') IS NOT NULL GROUP BY 1, 2")
      .all();
    db.close();
    const byCron = new Map();
    for (const firing of firings) {
      if (!byCron.has(firing.cron_id)) byCron.set(firing.cron_id, new Map());
      byCron.get(firing.cron_id).set(Date.parse(firing.scheduled_at), firing.lag_ms);
    }
    const report = {};
    for (const kind of ['burst', 'perSecond']) {
      const lags = [];
      let expected = 0;
      let missed = 0;
      for (const cron of created.filter((c) => c.kind === kind)) {
        const fired = byCron.get(cron.cronId) ?? new Map();
        for (const slot of expectedSlots(cron.schedule, startMs, endMs - 1000)) {
          expected++;
          if (fired.has(slot)) lags.push(fired.get(slot));
          else missed++;
        }
      }
      lags.sort((a, b) => a - b);
      report[kind] = { crons: created.filter((c) => c.kind === kind).length, expected, fired: lags.length, missed, p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1) ?? null };
    }
    report.duplicates = runs.filter((row) => row.n > 1).length;
    report.runsWithoutFiring = runs.length - firings.filter((f) => f.lag_ms !== null).length;
    report.durationSeconds = durationMs / 1000;
    console.log('\nkind       | crons | expected | fired  | missed | lag p50 ms | lag p99 ms | lag max ms');
    for (const kind of ['burst', 'perSecond']) {
      const r = report[kind];
      console.log(`${kind.padEnd(10)} | ${String(r.crons).padStart(5)} | ${String(r.expected).padStart(8)} | ${String(r.fired).padStart(6)} | ${String(r.missed).padStart(6)} | ${String(r.p50).padStart(10)} | ${String(r.p99).padStart(10)} | ${String(r.max).padStart(10)}`);
    }
    console.log(`duplicate runs for one (cron, scheduled time): ${report.duplicates}`);
    const out = options.out ?? join(dir, 'crons.json');
    writeFileSync(out, JSON.stringify(report, null, 2));
    console.log(`raw: ${out}`);
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
