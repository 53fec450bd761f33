import { randomBytes } from 'node:crypto';

export interface DeliveriesPageOptions {
  webhookPath: string;
  signatureCheck: boolean;
  tokenCheck: boolean;
}

/**
 * The live deliveries page: one self-contained document (inline CSS and JS, no external assets). It lists
 * `/deliveries` once, then follows `/events` so new and updated deliveries appear without a reload. Rows are built
 * with textContent, never innerHTML, so payload values cannot inject markup; a per-response nonce locks the CSP.
 */
export function renderDeliveriesPage(options: DeliveriesPageOptions): { html: string; contentSecurityPolicy: string } {
  const nonce = randomBytes(16).toString('base64');
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const banners = [
    options.signatureCheck
      ? ''
      : '<p class="banner" id="signature-off">Signature checking is off: RECEIVER_SIGNING_SECRETS is not set, so deliveries are accepted without verification.</p>',
    options.tokenCheck ? '' : '<p class="banner subtle" id="token-off">Token checking is off: RECEIVER_TOKEN is not set.</p>',
  ].join('');
  return { html: PAGE_TEMPLATE(nonce, escapeHtml(options.webhookPath), banners), contentSecurityPolicy };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const PAGE_TEMPLATE = (nonce: string, webhookPath: string, banners: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Runhook receiver</title>
<style nonce="${nonce}">
  :root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db44; --ok: #15803d; --bad: #b91c1c; --warn: #b45309; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
  header { display: flex; align-items: baseline; gap: 1rem; }
  h1 { font-size: 1.3rem; margin: 0; }
  #live-status { color: var(--muted); }
  body[data-live="connected"] #live-status { color: var(--ok); }
  .banner { background: #fef3c7; color: #78350f; border: 1px solid #f59e0b; border-radius: 6px; padding: .6rem .8rem; }
  .banner.subtle { background: transparent; color: var(--warn); border-color: var(--line); }
  .hint { color: var(--muted); }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
  td.mono { font-family: ui-monospace, monospace; font-size: 12px; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .status-success, .verified-yes { color: var(--ok); }
  .status-error, .status-timeout, .verified-no { color: var(--bad); }
  .status-interrupted, .verified-unchecked { color: var(--warn); }
  tr.fresh { animation: fresh 2s ease-out; }
  @keyframes fresh { from { background: #fde68a88; } to { background: transparent; } }
  #empty { color: var(--muted); }
  body[data-count]:not([data-count="0"]) #empty { display: none; }
</style>
</head>
<body data-live="connecting" data-count="0">
<header><h1>Runhook receiver</h1><span id="live-status">connecting…</span></header>
${banners}
<p class="hint">Deliveries to <code>POST ${webhookPath}</code> appear here as they arrive. JSON: <a href="/deliveries">/deliveries</a>.</p>
<table id="deliveries">
  <thead><tr><th>Run id</th><th>Status</th><th>Verified</th><th>Duplicates</th><th>Attempt</th><th>Latency</th><th>Received at</th></tr></thead>
  <tbody></tbody>
</table>
<p id="empty">No deliveries yet.</p>
<script nonce="${nonce}">
(() => {
  const tbody = document.querySelector('#deliveries tbody');
  const liveStatus = document.getElementById('live-status');
  const known = new Map();

  const formatLatency = (ms) => ms === null ? '—' : Math.abs(ms) < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
  const formatVerified = (verified) => verified === null ? ['not checked', 'unchecked'] : verified ? ['yes', 'yes'] : ['no', 'no'];

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function upsert(delivery, highlight) {
    const previous = known.get(delivery.webhook_id);
    // The list and the stream can overlap; the duplicate count only grows, so never go back to an older copy.
    if (previous && previous.delivery.duplicates > delivery.duplicates) return;
    const row = previous ? previous.row : document.createElement('tr');
    const [verifiedText, verifiedClass] = formatVerified(delivery.verified);
    row.dataset.webhookId = delivery.webhook_id;
    row.dataset.runId = delivery.run_id;
    row.title = 'webhook-id ' + delivery.webhook_id;
    row.replaceChildren(
      cell(delivery.run_id, 'mono run-id'),
      cell(delivery.status, 'status-' + delivery.status),
      cell(verifiedText, 'verified-' + verifiedClass),
      cell(String(delivery.duplicates), 'num duplicates'),
      cell(delivery.attempt === null ? '—' : String(delivery.attempt), 'num'),
      cell(formatLatency(delivery.latency_ms), 'num'),
      cell(new Date(delivery.received_at).toLocaleString(), ''),
    );
    if (!previous) {
      // Keep newest first, whatever order the list and the stream deliver in.
      const later = [...tbody.rows].find((other) => known.get(other.dataset.webhookId).delivery.received_at < delivery.received_at);
      tbody.insertBefore(row, later || null);
    }
    known.set(delivery.webhook_id, { delivery, row });
    document.body.dataset.count = String(known.size);
    if (highlight) {
      row.classList.remove('fresh');
      void row.offsetWidth;
      row.classList.add('fresh');
    }
  }

  // With RECEIVER_READ_TOKEN the page is opened as /?token=...; its requests pass the token on (EventSource sends no headers).
  function readTokenQuery(separator) {
    const token = new URLSearchParams(location.search).get('token');
    return token === null ? '' : separator + 'token=' + encodeURIComponent(token);
  }

  async function loadList() {
    const response = await fetch('/deliveries?limit=200' + readTokenQuery('&'));
    if (response.ok) for (const delivery of await response.json()) upsert(delivery, false);
  }

  const events = new EventSource('/events' + readTokenQuery('?'));
  events.addEventListener('delivery', (event) => upsert(JSON.parse(event.data), true));
  events.onopen = () => {
    liveStatus.textContent = 'live';
    document.body.dataset.live = 'connected';
    // Also after a reconnect: fills in whatever arrived while the stream was down.
    loadList().catch(() => undefined);
  };
  events.onerror = () => {
    liveStatus.textContent = 'reconnecting…';
    document.body.dataset.live = 'reconnecting';
  };
})();
</script>
</body>
</html>
`;
