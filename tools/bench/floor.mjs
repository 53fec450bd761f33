#!/usr/bin/env node
// The floor under a server's cost per run: the demo graph alone, in this process, with the official SQLite saver on
// a file, driven the way `run.mjs`'s background scenario drives a server (N concurrent loops, a new thread per
// run, a warm-up, then a measured window). No HTTP, no run queue, no webhooks: what is left is LangGraph's own cost.
// Prints one JSON object on stdout, in the shape of a `bg` scenario result. `run.mjs --floor` runs it beside the
// servers; alone: node tools/bench/floor.mjs --db /tmp/floor.sqlite
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { tsImport } from 'tsx/esm/api';
import { summarize } from './lib/stats.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const { values: opt } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    db: { type: 'string' },
    config: { type: 'string', default: resolve(repo, 'langgraph.json') },
    graph: { type: 'string', default: 'agent' },
  },
});

const INPUT = { messages: [{ role: 'human', content: 'hi' }] };
const EXPECTED = 'echo: hi';

async function loadGraph(configPath, graphId) {
  const spec = JSON.parse(readFileSync(configPath, 'utf8')).graphs?.[graphId];
  if (typeof spec !== 'string') throw new Error(`${configPath} has no graph "${graphId}"`);
  const [file, exportName = 'default'] = spec.split(':');
  const mod = await tsImport(resolve(dirname(configPath), file), import.meta.url);
  const graph = await mod[exportName];
  if (typeof graph?.invoke !== 'function') throw new Error(`${spec} is not a compiled graph`);
  return graph;
}

async function main() {
  const clients = Number(opt.clients);
  const durationS = Number(opt.duration);
  const warmupS = Number(opt.warmup);
  if (!opt.db) throw new Error('--db <file> is required (a fresh SQLite file)');
  mkdirSync(dirname(resolve(opt.db)), { recursive: true });
  const graph = await loadGraph(resolve(opt.config), opt.graph);
  graph.checkpointer = SqliteSaver.fromConnString(resolve(opt.db));

  const latencies = [];
  let errors = 0;
  const firstErrors = [];
  let measuring = false;
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      // The graph with an in-process saver can go from run to run on microtasks alone, which would starve the
      // timers that end the window; a server gets this turn of the event loop from its sockets.
      await new Promise((r) => setImmediate(r));
      const start = performance.now();
      try {
        const out = await graph.invoke(INPUT, { configurable: { thread_id: randomUUID() } });
        const text = out.messages.at(-1)?.content;
        if (text !== EXPECTED) throw new Error(`unexpected reply ${JSON.stringify(text)}`);
        if (measuring) latencies.push(performance.now() - start);
      } catch (err) {
        errors += 1;
        if (firstErrors.length < 5) firstErrors.push(String(err?.message ?? err).slice(0, 300));
        if (errors > 500) throw err;
      }
    }
  };
  const loops = Array.from({ length: clients }, loop);
  await new Promise((r) => setTimeout(r, warmupS * 1000));
  measuring = true;
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, durationS * 1000));
  const cpu = process.cpuUsage(cpu0);
  const runs = latencies.length;
  measuring = false;
  stopped = true;
  await Promise.all(loops);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const result = {
    runsPerSecond: Math.round((runs / durationS) * 100) / 100,
    latencyMs: summarize(latencies),
    clients,
    durationS,
    warmupS,
    sharedThread: false,
    errors,
    firstErrors,
    // The whole process: graph, saver and the loops that drive them (there is no separate client to leave out).
    serverCpuS: cpuS,
    serverCpuMsPerOp: runs ? Math.round((cpuS * 1000 * 1000) / runs) / 1000 : null,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`floor: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
