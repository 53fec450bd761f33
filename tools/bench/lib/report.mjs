// Turns per-server results into the printed comparison table.
import { median, ratio } from './stats.mjs';

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

function pickOne(scenarios, key, pick) {
  const scenario = scenarios?.[key];
  if (!scenario) return null;
  if (scenario.error) return 'failed';
  try {
    return pick(scenario) ?? null;
  } catch {
    return null;
  }
}

/** A target's figure: its one run, or the median over its rounds (rounds that failed the scenario are left out). */
function cell(result, key, pick) {
  const rounds = result?.rounds ?? (result?.scenarios ? [result] : []);
  const values = rounds.map((r) => pickOne(r.scenarios, key, pick));
  const numbers = values.filter((v) => typeof v === 'number');
  if (numbers.length === 0) return values.includes('failed') ? 'failed' : null;
  return median(numbers);
}

/**
 * One column per target, then `ratio ours/ref` (the first Runhook target against the reference) and, for every
 * further Runhook target, its ratio to the first one (`branch/base`), or for an auth twin to its own build
 * (`branch+auth/branch`). A `floor` column (the graph alone, in process) gets `<first>/floor`, what the server adds.
 */
export function buildTable(results) {
  const names = Object.keys(results);
  const ours = names.filter((n) => n !== 'reference' && n !== 'floor');
  const ratios = [];
  if (ours.length > 0 && names.includes('reference')) ratios.push({ label: 'ratio ours/ref', a: ours[0], b: 'reference' });
  if (ours.length > 0 && names.includes('floor')) ratios.push({ label: `${ours[0]}/floor`, a: ours[0], b: 'floor' });
  if (names.includes('floor') && names.includes('reference')) ratios.push({ label: 'floor/ref', a: 'floor', b: 'reference' });
  for (const name of ours.slice(1)) {
    // An auth twin is compared with its own build, other builds with the first.
    const plain = name.endsWith('+auth') ? name.slice(0, -'+auth'.length) : ours[0];
    ratios.push({ label: `${name}/${names.includes(plain) ? plain : ours[0]}`, a: name, b: names.includes(plain) ? plain : ours[0] });
  }
  const header = ['metric', ...names, ...ratios.map((r) => r.label)];
  const rows = [];
  for (const [key, label, pick] of METRICS) {
    const values = names.map((n) => cell(results[n], key, pick));
    if (values.every((v) => v == null)) continue;
    const row = [label, ...values.map((v) => (v == null ? '-' : String(v)))];
    for (const r of ratios) {
      const x = ratio(values[names.indexOf(r.a)], values[names.indexOf(r.b)]);
      row.push(x == null ? '-' : `${x}x`);
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
