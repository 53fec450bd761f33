// Scaling modes of run.mjs: the same background-run load against Runhook with 0, 1, 2... forked worker processes
// (RUNHOOK_WORKER_PROCESSES), or against 1, 2, 3 replicas sharing one PostgreSQL database, rounds alternating, with
// the CPU of every server process and of the load generator itself per run, so the serial part can be read off.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { stopProcess } from './processes.mjs';
import { backgroundRuns } from './scenarios.mjs';
import { startOurs } from './servers.mjs';

const CLOCK_TICKS = 100;

/** pid → { ppid, pgrp, cpuS } for every live process (Linux /proc). */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(f[1]), pgrp: Number(f[2]), cpuS: (Number(f[11]) + Number(f[12])) / CLOCK_TICKS });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/**
 * CPU seconds of each server: its leader (the api process) apart from its other processes (forked workers).
 * A replica set is several servers, each its own process group.
 */
function cpuProbe(servers) {
  return () => {
    const table = processTable();
    const parts = {};
    let total = 0;
    for (const [name, server] of servers) {
      let leader = 0;
      let others = 0;
      for (const [pid, p] of table) {
        // Forked workers run in process groups of their own (so a terminal's Ctrl-C reaches the api process only):
        // they are found as its children.
        if (p.pgrp !== server.child.pid && p.ppid !== server.child.pid) continue;
        if (pid === server.child.pid) leader += p.cpuS;
        else others += p.cpuS;
      }
      parts[`${name}:api`] = leader;
      if (server.forks) parts[`${name}:workers`] = others;
      total += leader + others;
    }
    return { total, parts };
  };
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of every process of the group, and of the leader's children (the forked workers), to `list`. */
function pinGroup(pgid, list) {
  for (const [pid, p] of processTable()) if (p.pgrp === pgid || p.ppid === pgid) execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
}

async function createSchema(url, schema) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await client.end();
  }
}

/** Drops only the schema this run created: other people's data on the database is never touched. */
async function dropSchema(url, schema) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

function withSearchPath(url, schema) {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** The topologies to compare, from --worker-processes "0,1,2,2s" (s: the api process runs no graphs) or --replicas "1,2,3". */
export function scalingPlan(opt) {
  if (opt.replicas) {
    if (!opt.postgres) throw new Error('--replicas needs --postgres <url> (a database of your own; a fresh schema is made per topology)');
    return opt.replicas.split(',').map((n) => ({ label: `replicas=${n}`, replicas: Number(n), env: {} }));
  }
  return opt['worker-processes'].split(',').map((entry) => {
    const split = entry.endsWith('s');
    const n = Number.parseInt(entry, 10);
    const env = { RUNHOOK_WORKER_PROCESSES: String(n), ...(split ? { RUNHOOK_ROLES: 'api,scheduler' } : {}) };
    return { label: split ? `api only + ${n} worker(s)` : `workers=${n}`, replicas: 1, forks: n > 0, env };
  });
}

async function waitForWorkers(logFile, count) {
  const deadline = Date.now() + 180_000;
  while (count > 0 && Date.now() < deadline) {
    const started = readFileSync(logFile, 'utf8').split('started without HTTP').length - 1;
    if (started >= count) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (count > 0) throw new Error(`${count} worker process(es) did not start within 180 s; see ${logFile}`);
}

async function startTopology(topology, { repo, runDir, opt, round }) {
  const servers = new Map();
  let schema = null;
  const env = { ...topology.env };
  if (opt.postgres) {
    schema = `bench_scaling_${process.pid}_${round}_${topology.replicas}_${Date.now()}`;
    await createSchema(opt.postgres, schema);
    env.DATABASE_URL = withSearchPath(opt.postgres, schema);
  }
  for (let i = 0; i < topology.replicas; i += 1) {
    const label = `${topology.label.replace(/[^a-z0-9]+/gi, '-')}-r${round}-${i}`;
    const server = await startOurs({ repo, runDir, label, env });
    // Forked workers boot after the api answers (seconds of CPU on a loaded machine): measure only once they are up.
    await waitForWorkers(server.logFile, Number(env.RUNHOOK_WORKER_PROCESSES ?? 0));
    servers.set(topology.replicas > 1 ? `replica${i}` : 'server', { ...server, forks: topology.forks });
  }
  if (opt['pin-server']) {
    // Forked workers start right after the api process listens: give them a moment, then pin the whole group.
    await new Promise((r) => setTimeout(r, 2_000));
    for (const server of servers.values()) pinGroup(server.child.pid, opt['pin-server']);
  }
  return { servers, schema };
}

const median = (values) => {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};

/** Rounds × topologies, alternating; answers the raw rows and prints the medians. */
export async function scalingMode({ repo, runDir, config, opt, log }) {
  const plan = scalingPlan(opt);
  const rounds = Number(opt.rounds ?? 3);
  if (opt['pin-client']) {
    if (!hasTaskset()) throw new Error('--pin-client needs taskset (util-linux)');
    execFileSync('taskset', ['-a', '-p', '-c', opt['pin-client'], String(process.pid)], { stdio: 'ignore' });
  }
  const rows = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const topology of plan) {
      log(`round ${round}/${rounds}: ${topology.label} ...`);
      const { servers, schema } = await startTopology(topology, { repo, runDir, opt, round });
      const load = loadavg()[0];
      try {
        const urls = [...servers.values()].map((s) => s.url);
        const result = await backgroundRuns(urls.length === 1 ? urls[0] : urls, {
          clients: config.clients,
          durationS: config.durationS,
          warmupS: config.warmupS,
          sharedThread: false,
          cpuProbe: cpuProbe(servers),
        });
        rows.push({ round, topology: topology.label, loadBefore: load, loadAfter: loadavg()[0], ...result });
        log(`  ${result.runsPerSecond} runs/s, server ${result.serverCpuMsPerOp} ms/run ${JSON.stringify(result.serverCpuMsPerOpByProcess)}, client ${result.clientCpuMsPerOp} ms/run, errors ${result.errors}, load ${load.toFixed(1)}`);
      } finally {
        for (const server of servers.values()) await stopProcess(server.child);
        if (schema) await dropSchema(opt.postgres, schema);
      }
    }
  }
  const lines = [
    `medians of ${rounds} round(s), ${config.clients} clients, ${config.durationS} s each (+${config.warmupS} s warm-up), new thread per run; ${cpus().length} cores` +
      (opt['pin-client'] ? `; client pinned to CPU ${opt['pin-client']}` : '') +
      (opt['pin-server'] ? `, servers to CPU ${opt['pin-server']}` : ''),
    `load average (1 min) before each measurement: ${rows.map((r) => r.loadBefore.toFixed(1)).join(', ')}`,
    '| topology | runs/s | server CPU ms/run | by process, ms/run | bench client CPU ms/run | errors |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const { label } of plan) {
    const mine = rows.filter((r) => r.topology === label);
    const keys = Object.keys(mine[0]?.serverCpuMsPerOpByProcess ?? {});
    const parts = keys.map((k) => `${k} ${median(mine.map((r) => r.serverCpuMsPerOpByProcess?.[k]))}`).join(', ');
    lines.push(`| ${label} | ${median(mine.map((r) => r.runsPerSecond))} | ${median(mine.map((r) => r.serverCpuMsPerOp))} | ${parts} | ${median(mine.map((r) => r.clientCpuMsPerOp))} | ${mine.reduce((n, r) => n + (r.errors ?? 0), 0)} |`);
  }
  return { rows, table: lines.join('\n'), tasksetAvailable: existsSync('/usr/bin/taskset') || hasTaskset() };
}
