// Reading V8 .cpuprofile files: self time per function and per package, and the difference between two profiles.

/** Self time per node: sample i lasts until sample i+1 (timeDeltas[i+1]); the last one until endTime. */
export function selfTimes(profile, window) {
  const byId = new Map(profile.nodes.map((n) => [n.id, { node: n, us: 0 }]));
  const { samples = [], timeDeltas = [] } = profile;
  let t = profile.startTime;
  const stamps = timeDeltas.map((d) => (t += d));
  for (let i = 0; i < samples.length; i += 1) {
    const until = i + 1 < stamps.length ? stamps[i + 1] : profile.endTime;
    if (window && (stamps[i] < window.fromUs || stamps[i] > window.untilUs)) continue;
    const entry = byId.get(samples[i]);
    if (entry) entry.us += Math.max(0, until - stamps[i]);
  }
  return [...byId.values()];
}

function shortUrl(url, repo) {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  return url.replace(/^file:\/\//, '').replace(`${repo}/`, '').replace(/^.*\/(dist\/apps\/api\/)/, '$1');
}

function packageOf(url, repo) {
  if (!url) return '(native/vm)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf('node_modules/')));
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('dist/apps/api')) return 'runhook (dist/apps/api)';
  return shortUrl(url, repo);
}

/**
 * Self time by function (name + script, so the same function in two builds of one bundle matches even when its
 * line moved) and by package.
 */
export function aggregate(profile, window, repo = '') {
  const fns = new Map();
  const pkgs = new Map();
  let totalUs = 0;
  let idleUs = 0;
  for (const { node, us } of selfTimes(profile, window)) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    totalUs += us;
    if (name === '(idle)') idleUs += us;
    const script = shortUrl(url, repo);
    const key = `${name}\u0000${script}`;
    const fn = fns.get(key) ?? { key, name, where: url ? `${script}:${lineNumber + 1}` : '', us: 0 };
    fn.us += us;
    fns.set(key, fn);
    const pkg = !url && name.startsWith('(') ? name : packageOf(url, repo);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  return {
    totalUs,
    idleUs,
    functions: [...fns.values()].sort((a, b) => b.us - a.us),
    packages: [...pkgs].map(([name, us]) => ({ name, us })).sort((a, b) => b.us - a.us),
  };
}

const ms = (us) => (us / 1000).toFixed(1).padStart(9);

export function formatReport(agg, { top, runs, cpuMsPerRun }) {
  const busy = agg.totalUs - agg.idleUs;
  const pct = (us) => `${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)}%`;
  const out = [];
  out.push(`sampled ${ms(agg.totalUs)} ms, idle ${ms(agg.idleUs)} ms, busy ${ms(busy)} ms`);
  if (runs) out.push(`busy main-thread time per run (sampled, includes time the OS ran others): ${(busy / 1000 / runs).toFixed(2)} ms over ${runs} runs`);
  if (cpuMsPerRun != null) out.push(`server CPU per run (/proc, all threads): ${cpuMsPerRun.toFixed(2)} ms`);
  out.push('', `top ${top} functions by self time (percent of busy time):`);
  for (const f of agg.functions.filter((x) => x.name !== '(idle)').slice(0, top)) {
    out.push(`${ms(f.us)} ms ${pct(f.us)}  ${f.name}  ${f.where}`);
  }
  out.push('', 'self time by package:');
  for (const p of agg.packages.filter((x) => x.name !== '(idle)').slice(0, 15)) {
    out.push(`${ms(p.us)} ms ${pct(p.us)}  ${p.name}`);
  }
  return out.join('\n');
}

/**
 * Per-run cost of each function in two profiles, and what changed. Each busy share is scaled to the CPU per run
 * measured from /proc when the summaries have it (sampled wall time is inflated on a loaded machine), otherwise
 * to the sampled busy time per run.
 */
export function formatDiff(a, b, { top }) {
  const perRun = ({ agg, runs, cpuMsPerRun }) => {
    const busy = agg.totalUs - agg.idleUs;
    const scale = cpuMsPerRun != null ? (cpuMsPerRun * 1000) / busy : 1 / runs;
    return { scale, total: cpuMsPerRun != null ? cpuMsPerRun * 1000 : busy / runs };
  };
  const pa = perRun(a);
  const pb = perRun(b);
  const rows = (listA, listB, keyOf) => {
    const m = new Map();
    for (const x of listA) m.set(keyOf(x), { label: x, a: x.us * pa.scale, b: 0 });
    for (const x of listB) {
      const row = m.get(keyOf(x)) ?? { label: x, a: 0, b: 0 };
      row.b = x.us * pb.scale;
      m.set(keyOf(x), row);
    }
    return [...m.values()].filter((r) => r.label.name !== '(idle)').sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a));
  };
  const us = (v) => v.toFixed(0).padStart(7);
  const signed = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(0)}`.padStart(7);
  const out = [`per-run CPU: A ${(pa.total / 1000).toFixed(2)} ms, B ${(pb.total / 1000).toFixed(2)} ms (${signed(pb.total - pa.total)} us)`];
  out.push('', `functions with the largest change, us per run (A, B, B-A):`);
  for (const r of rows(a.agg.functions, b.agg.functions, (f) => f.key).slice(0, top)) {
    out.push(`${us(r.a)} ${us(r.b)} ${signed(r.b - r.a)}  ${r.label.name}  ${r.label.where}`);
  }
  out.push('', 'packages, us per run (A, B, B-A):');
  for (const r of rows(a.agg.packages, b.agg.packages, (p) => p.name).slice(0, 15)) {
    out.push(`${us(r.a)} ${us(r.b)} ${signed(r.b - r.a)}  ${r.label.name}`);
  }
  return out.join('\n');
}
