// Run end → webhook receipt against offered load, with real runs of the demo graph. The server's own timestamps
// split a delivery's wait: `run_ended_at` (stamped at the run end, before its transaction) → `webhook_sent_at`
// (stamped by the dispatcher when the attempt starts) is the time the delivery waited to be claimed, and
// `webhook_sent_at` → arrival at the receiver is the send itself (request written, bytes through a busy loop).
import { createServer } from 'node:http';
import { summarize } from './stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A receiver answering 200 at once; per arrival it keeps the three timestamps, keyed by run. */
export async function startTimingReceiver() {
  const arrivals = new Map();
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      const now = Date.now();
      const body = Buffer.concat(chunks).toString();
      const runId = /"run_id":"([^"]+)"/.exec(body)?.[1];
      const ended = Date.parse(/"run_ended_at":"([^"]+)"/.exec(body)?.[1] ?? '');
      const sent = Date.parse(/"webhook_sent_at":"([^"]+)"/.exec(body)?.[1] ?? '');
      const created = Date.parse(/"created_at":"([^"]+)"/.exec(body)?.[1] ?? '');
      if (runId && !arrivals.has(runId)) arrivals.set(runId, { created, ended, sent, received: now, path: request.url });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    arrivals,
    url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

function postRun(apiUrl, webhook, n) {
  return fetch(`${apiUrl}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assistant_id: 'agent', input: { messages: [{ role: 'human', content: `bench ${n}` }] }, webhook }),
  }).then((r) => (r.ok ? r.arrayBuffer().then(() => true) : false), () => false);
}

async function waitForArrivals(receiver, path, expected, maxMs) {
  const deadline = Date.now() + maxMs;
  const count = () => [...receiver.arrivals.values()].filter((a) => a.path === path).length;
  while (Date.now() < deadline && count() < expected) await sleep(50);
  return [...receiver.arrivals.values()].filter((a) => a.path === path);
}

/**
 * Capacity: `runs` stateless background runs offered all at once (at most `inFlight` POSTs outstanding), then the
 * rate at which the server ended them, from their `run_ended_at`, between the 10th and 90th percentile of end
 * times (start-up and the drain left out). Waits for every webhook before answering.
 */
export async function measureCapacity(apiUrl, receiver, { runs = 1500, inFlight = 64, label = 'cap' } = {}) {
  const path = `/${label}?token=t`;
  const webhook = receiver.url(path);
  let next = 0;
  let errors = 0;
  const lane = async () => {
    while (next < runs) {
      next += 1;
      if (!(await postRun(apiUrl, webhook, next))) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const got = await waitForArrivals(receiver, path, runs - errors, 180_000);
  const ends = got.map((a) => a.ended).sort((a, b) => a - b);
  const lo = ends[Math.floor(ends.length * 0.1)];
  const hi = ends[Math.floor(ends.length * 0.9)];
  const perSecond = hi > lo ? (Math.floor(ends.length * 0.9) - Math.floor(ends.length * 0.1)) / ((hi - lo) / 1000) : null;
  return { runs, errors, delivered: got.length, runsPerSecond: perSecond == null ? null : Math.round(perSecond * 10) / 10 };
}

/** Offers `rate` runs/s (open loop, POSTs not awaited) for `seconds`, then waits for their webhooks. */
export async function offeredLoad(apiUrl, receiver, { rate, seconds, label, drainMs = 120_000 }) {
  const path = `/${label}?token=t`;
  const webhook = receiver.url(path);
  const total = Math.max(1, Math.round(rate * seconds));
  const started = Date.now();
  const posts = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
    while (sent < due) {
      sent += 1;
      posts.push(postRun(apiUrl, webhook, sent));
    }
    await sleep(5);
  }
  const accepted = (await Promise.all(posts)).filter(Boolean).length;
  const got = await waitForArrivals(receiver, path, accepted, drainMs);
  const ms = (pick) => summarize(got.map(pick).filter(Number.isFinite));
  const ends = got.map((a) => a.ended).sort((a, b) => a - b);
  return {
    rate: Math.round(rate * 10) / 10,
    runs: total,
    accepted,
    delivered: got.length,
    endedPerSecond: ends.length > 1 ? Math.round((ends.length / ((ends.at(-1) - ends[0]) / 1000)) * 10) / 10 : null,
    endToReceiptMs: ms((a) => a.received - a.ended),
    endToSentMs: ms((a) => a.sent - a.ended),
    sentToReceiptMs: ms((a) => a.received - a.sent),
    createdToEndMs: ms((a) => a.ended - a.created),
  };
}

/**
 * Capacity, then each fraction of it, on one server. `baseRate` (the first build's capacity in the same round)
 * replaces this server's own figure as the base of the fractions, so builds compared side by side get the same load.
 */
export async function webhookCurve(apiUrl, receiver, { fractions, seconds, capacityRuns, tag, baseRate = null }) {
  const capacity = await measureCapacity(apiUrl, receiver, { runs: capacityRuns, label: `${tag}-cap` });
  const points = [];
  for (const fraction of fractions) {
    const rate = fraction * (baseRate ?? capacity.runsPerSecond ?? 50);
    points.push({ fraction, ...(await offeredLoad(apiUrl, receiver, { rate, seconds, label: `${tag}-f${fraction}` })) });
  }
  return { capacity, baseRate: baseRate ?? capacity.runsPerSecond, points };
}
