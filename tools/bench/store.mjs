#!/usr/bin/env node
// Store benchmark: the built api on a fresh SQLite file with a 256-dimension local embedding (tools/bench/store/),
// driven by the official SDK's client.store over HTTP, one request at a time:
//   1. put p50: --items PUTs (each item embedded and written with its vector);
//   2. get p50: --samples GETs of random keys;
//   3. filtered search p50: a namespace prefix + {category, rank: {$gte}} filter, limit 10;
//   4. semantic search p50: a query text ranked by cosine similarity over every item (limit 10).
// Usage: node tools/bench/store.mjs [--items 10000] [--samples 1000]
import { Client } from '@langchain/langgraph-sdk';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installExitHandlers, stopProcess } from './lib/processes.mjs';
import { startOurs } from './lib/servers.mjs';
import { summarize } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const ITEMS = Number(args.items ?? 10_000);
const SAMPLES = Number(args.samples ?? 1_000);
const WORDS = ['cat', 'dog', 'fish', 'bird', 'river', 'mountain', 'coffee', 'train', 'garden', 'music', 'winter', 'ocean',
  'book', 'city', 'forest', 'bread', 'lamp', 'storm', 'violin', 'market', 'paper', 'engine', 'cloud', 'stone'];

/** A small deterministic generator, so every run stores and asks the same things. */
function random(seed) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const next = random(42);
const pick = (list) => list[Math.floor(next() * list.length)];
const sentence = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');

async function timed(count, call) {
  const samples = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await call(i);
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

async function main() {
  installExitHandlers();
  const runDir = join(ROOT, 'tmp/bench-results', `store-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const server = await startOurs({ repo: ROOT, runDir, label: 'store', config: join(ROOT, 'tools/bench/store/langgraph.json') });
  try {
    const client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
    const namespaceOf = (i) => ['bench', `user${i % 100}`];
    const put = await timed(ITEMS, (i) =>
      client.store.putItem(namespaceOf(i), `item-${i}`, { text: sentence(12), category: `c${i % 20}`, rank: i }),
    );
    const get = await timed(SAMPLES, () => {
      const i = Math.floor(next() * ITEMS);
      return client.store.getItem(namespaceOf(i), `item-${i}`).then((item) => {
        if (item?.key !== `item-${i}`) throw new Error(`get item-${i} returned ${JSON.stringify(item)}`);
      });
    });
    const filtered = await timed(SAMPLES, async () => {
      const { items } = await client.store.searchItems(['bench'], { filter: { category: pick(['c1', 'c7', 'c13']), rank: { $gte: Math.floor(next() * ITEMS) } }, limit: 10 });
      if (items.some((item) => item.score !== undefined)) throw new Error('a filtered search returned scores');
    });
    const semantic = await timed(Math.min(SAMPLES, 300), async () => {
      const { items } = await client.store.searchItems(['bench'], { query: sentence(3), limit: 10 });
      if (items.length !== 10 || typeof items[0]?.score !== 'number') throw new Error('a semantic search returned no scored items');
    });
    const result = { items: ITEMS, samples: SAMPLES, dims: 256, putMs: put, getMs: get, filteredSearchMs: filtered, semanticSearchMs: semantic };
    console.log(JSON.stringify(result, null, 2));
    console.log(`\n| metric (${ITEMS} items, SQLite) | p50 | p99 |\n| --- | --- | --- |`);
    for (const [name, stats] of [['put', put], ['get', get], ['filtered search', filtered], ['semantic search (256 dims)', semantic]]) {
      console.log(`| ${name} | ${stats.p50} ms | ${stats.p99} ms |`);
    }
  } finally {
    await stopProcess(server.child);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
