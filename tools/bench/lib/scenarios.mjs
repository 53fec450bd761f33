// The three measured scenarios, driven only through @langchain/langgraph-sdk against a base URL.
import { Client } from '@langchain/langgraph-sdk';
import { summarize } from './stats.mjs';

const GRAPH = 'agent';
const INPUT = { messages: [{ role: 'human', content: 'hi' }] };
const EXPECTED = 'echo: hi';
const MAX_ERRORS = 500;

/**
 * One SDK client per simulated user; no retries so failures are counted, not hidden. `token`, when given, is sent
 * as `Authorization: Bearer <token>` (the --auth targets).
 */
export function makeClient(url, token = null) {
  return new Client({
    apiUrl: url,
    apiKey: null,
    timeoutMs: 60_000,
    callerOptions: { maxRetries: 0, maxConcurrency: Infinity },
    ...(token ? { defaultHeaders: { authorization: `Bearer ${token}` } } : {}),
  });
}

const noToken = () => null;

function lastMessageText(values) {
  if (values && typeof values === 'object' && '__error__' in values) {
    throw new Error(`run failed: ${JSON.stringify(values.__error__)}`);
  }
  const messages = values?.messages;
  const last = Array.isArray(messages) ? messages[messages.length - 1] : undefined;
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
}

function checkReply(values) {
  const text = lastMessageText(values);
  if (text !== EXPECTED) throw new Error(`unexpected reply ${JSON.stringify(text)}`);
}

class Errors {
  constructor() {
    this.count = 0;
    this.first = [];
  }
  add(err) {
    this.count += 1;
    if (this.first.length < 5) this.first.push(String(err?.message ?? err).slice(0, 300));
    if (this.count >= MAX_ERRORS) throw new Error(`too many errors; first: ${this.first.join(' | ')}`);
  }
}

/**
 * Reads server CPU (optional probe) and bench-client CPU at the start and end of a measured window. A probe may
 * answer `{ total, parts: { name: seconds } }` to split the server's CPU by process (api process, workers, replicas).
 */
function cpuWindow(probe) {
  const server0 = probe?.() ?? null;
  const client0 = process.cpuUsage();
  const total = (v) => (v != null && typeof v === 'object' ? v.total : v);
  return (ops) => {
    const server1 = probe?.() ?? null;
    const c = process.cpuUsage(client0);
    const serverS = server0 == null || server1 == null ? null : total(server1) - total(server0);
    const per = (s) => (s == null || ops === 0 ? null : Math.round((s * 1000 * 100) / ops) / 100);
    const parts = server0?.parts && server1?.parts ? Object.keys(server1.parts).map((k) => [k, per(server1.parts[k] - (server0.parts[k] ?? 0))]) : null;
    return {
      serverCpuS: serverS,
      serverCpuMsPerOp: per(serverS),
      clientCpuMsPerOp: per((c.user + c.system) / 1e6),
      ...(parts ? { serverCpuMsPerOpByProcess: Object.fromEntries(parts) } : {}),
    };
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** N clients loop create-thread (or reuse one) -> create background run -> join, for a fixed window. */
export async function backgroundRuns(url, { clients, durationS, warmupS, sharedThread, cpuProbe, tokenFor = noToken }) {
  const errors = new Errors();
  const latencies = [];
  const t0 = performance.now();
  const from = t0 + warmupS * 1000;
  const until = from + durationS * 1000;
  let endCpu;
  const warmTimer = setTimeout(() => (endCpu = cpuWindow(cpuProbe)), warmupS * 1000);
  let cpu = null;
  const endTimer = setTimeout(() => (cpu = endCpu?.(latencies.length)), warmupS * 1000 + durationS * 1000);

  // Several URLs (replicas of one database): client i talks to url[i mod n].
  async function worker(_, index) {
    const client = makeClient(Array.isArray(url) ? url[index % url.length] : url, tokenFor(index));
    const thread = sharedThread ? (await client.threads.create()).thread_id : null;
    while (performance.now() < until) {
      const start = performance.now();
      try {
        const threadId = thread ?? (await client.threads.create()).thread_id;
        const opts = { input: INPUT, ...(sharedThread ? { multitaskStrategy: 'enqueue' } : {}) };
        const run = await client.runs.create(threadId, GRAPH, opts);
        checkReply(await client.runs.join(threadId, run.run_id));
        const end = performance.now();
        if (end >= from && end <= until) latencies.push(end - start);
      } catch (err) {
        errors.add(err);
        await sleep(50);
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: clients }, worker));
  } finally {
    clearTimeout(warmTimer);
    clearTimeout(endTimer);
  }
  // On a loaded machine the end timer can come after the clients have already stopped at the window's end.
  cpu ??= endCpu?.(latencies.length) ?? null;
  return {
    runsPerSecond: Math.round((latencies.length / durationS) * 100) / 100,
    latencyMs: summarize(latencies),
    clients,
    durationS,
    warmupS,
    sharedThread,
    errors: errors.count,
    firstErrors: errors.first,
    ...(cpu ?? {}),
  };
}

/** Runs `op` sequentially: `warmup` unmeasured calls, then `samples` measured ones, within maxS seconds. */
async function sequential({ samples, warmup, maxS, cpuProbe }, op) {
  const errors = new Errors();
  const deadline = performance.now() + maxS * 1000;
  for (let i = 0; i < warmup && performance.now() < deadline; i += 1) {
    try {
      await op();
    } catch (err) {
      errors.add(err);
    }
  }
  const end = cpuWindow(cpuProbe);
  const measured = [];
  let truncated = false;
  for (let i = 0; i < samples; i += 1) {
    if (performance.now() >= deadline) {
      truncated = true;
      break;
    }
    try {
      measured.push(await op());
    } catch (err) {
      errors.add(err);
    }
  }
  return { measured, errors, truncated, cpu: end(measured.length) };
}

/** Stateless `client.runs.wait(null, 'agent', {input})` latency. */
export async function waitLatency(url, opts) {
  const client = makeClient(url, (opts.tokenFor ?? noToken)(0));
  const { measured, errors, truncated, cpu } = await sequential(opts, async () => {
    const start = performance.now();
    checkReply(await client.runs.wait(null, GRAPH, { input: INPUT }));
    return performance.now() - start;
  });
  return { latencyMs: summarize(measured), errors: errors.count, firstErrors: errors.first, truncated, ...cpu };
}

/**
 * Stateless `/runs/wait` calls alternated among several servers, one call at a time: call i goes to server i mod n,
 * so every server meets the same machine at the same moments. Per server: latencies and server CPU per call.
 */
export async function alternatedWaits(urls, { samples, warmupSamples, cpuProbes }) {
  const clients = urls.map((url) => makeClient(url));
  const call = async (i) => {
    const start = performance.now();
    checkReply(await clients[i].runs.wait(null, GRAPH, { input: INPUT }));
    return performance.now() - start;
  };
  for (let k = 0; k < warmupSamples; k += 1) for (let i = 0; i < urls.length; i += 1) await call(i);
  const cpu0 = cpuProbes.map((probe) => probe());
  const latencies = urls.map(() => []);
  for (let k = 0; k < samples; k += 1) for (let i = 0; i < urls.length; i += 1) latencies[i].push(await call(i));
  return latencies.map((measured, i) => ({
    latencyMs: summarize(measured),
    serverCpuMsPerOp: Number((((cpuProbes[i]() - cpu0[i]) * 1000) / samples).toFixed(3)),
  }));
}

/** Stateless `client.runs.stream(...)`: time to the first SSE event, and to the end of the stream. */
export async function firstEventLatency(url, opts) {
  const client = makeClient(url, (opts.tokenFor ?? noToken)(0));
  const firstNames = {};
  const { measured, errors, truncated, cpu } = await sequential(opts, async () => {
    const start = performance.now();
    let first = null;
    let last = null;
    for await (const part of client.runs.stream(null, GRAPH, { input: INPUT, streamMode: ['values'] })) {
      if (first == null) {
        first = performance.now() - start;
        firstNames[part.event] = (firstNames[part.event] ?? 0) + 1;
      }
      if (part.event === 'error') throw new Error(`error event: ${JSON.stringify(part.data)}`);
      if (part.event === 'values') last = part.data;
    }
    checkReply(last);
    return { first, total: performance.now() - start };
  });
  return {
    firstEventMs: summarize(measured.map((m) => m.first)),
    streamTotalMs: summarize(measured.map((m) => m.total)),
    firstEventNames: firstNames,
    errors: errors.count,
    firstErrors: errors.first,
    truncated,
    ...cpu,
  };
}
