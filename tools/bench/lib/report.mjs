// Turns per-server results into the printed comparison table.
import { ratio } from './stats.mjs';

const METRICS = [
  ['bg', 'background runs/s (new thread per run)', (r) => r.runsPerSecond],
  ['bg', '  run latency p50 ms', (r) => r.latencyMs.p50],
  ['bg', '  run latency p99 ms', (r) => r.latencyMs.p99],
  ['bg', '  runs completed (count)', (r) => r.latencyMs.count],
  ['bg', '  server CPU ms per run', (r) => r.serverCpuMsPerOp],
  ['bg', '  bench client CPU ms per run', (r) => r.clientCpuMsPerOp],
  ['bg', '  errors', (r) => r.errors],
  ['bgShared', 'background runs/s (one thread per client)', (r) => r.runsPerSecond],
  ['bgShared', '  run latency p50 ms', (r) => r.latencyMs.p50],
  ['bgShared', '  run latency p99 ms', (r) => r.latencyMs.p99],
  ['bgShared', '  runs completed (count)', (r) => r.latencyMs.count],
  ['bgShared', '  server CPU ms per run', (r) => r.serverCpuMsPerOp],
  ['bgShared', '  errors', (r) => r.errors],
  ['wait', '/runs/wait latency p50 ms', (r) => r.latencyMs.p50],
  ['wait', '  /runs/wait latency p99 ms', (r) => r.latencyMs.p99],
  ['wait', '  samples (count)', (r) => r.latencyMs.count],
  ['wait', '  server CPU ms per run', (r) => r.serverCpuMsPerOp],
  ['wait', '  errors', (r) => r.errors],
  ['stream', 'first SSE event p50 ms', (r) => r.firstEventMs.p50],
  ['stream', '  first SSE event p99 ms', (r) => r.firstEventMs.p99],
  ['stream', '  whole stream p50 ms', (r) => r.streamTotalMs.p50],
  ['stream', '  samples (count)', (r) => r.firstEventMs.count],
  ['stream', '  server CPU ms per run', (r) => r.serverCpuMsPerOp],
  ['stream', '  errors', (r) => r.errors],
];

function cell(result, key, pick) {
  const scenario = result?.scenarios?.[key];
  if (!scenario) return null;
  if (scenario.error) return 'failed';
  try {
    return pick(scenario) ?? null;
  } catch {
    return null;
  }
}

export function buildTable(results) {
  const names = Object.keys(results);
  const both = names.includes('runhook') && names.includes('reference');
  const header = ['metric', ...names, ...(both ? ['ratio ours/ref'] : [])];
  const rows = [];
  for (const [key, label, pick] of METRICS) {
    const values = names.map((n) => cell(results[n], key, pick));
    if (values.every((v) => v == null)) continue;
    const row = [label, ...values.map((v) => (v == null ? '-' : String(v)))];
    if (both) {
      const r = ratio(values[names.indexOf('runhook')], values[names.indexOf('reference')]);
      row.push(r == null ? '-' : `${r}x`);
    }
    rows.push(row);
  }
  return { header, rows };
}

export function formatTable({ header, rows }) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
