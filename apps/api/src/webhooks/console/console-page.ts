import { randomBytes } from 'node:crypto';
import { DELIVERY_STATUSES } from '@runhook/contracts';
import { CONSOLE_RENDER_JS } from './console-render';

/**
 * The delivery console: one self-contained document (inline CSS and JS, no assets, no framework). The page carries
 * no data of its own: its script reads the authenticated JSON routes (GET /webhooks/deliveries, /webhooks/endpoints,
 * /webhooks/deliveries/{id}) and posts redeliveries, so whatever guards those routes guards what the page shows.
 * It polls once a second: the delivery log has no change feed, and a poll of two indexed queries is cheap and honest.
 * A browser cannot add a header to a page load, so under RUNHOOK_API_KEYS the page itself is served without a key and
 * asks for one when the data routes answer 401; the key stays in this tab's sessionStorage and goes out as
 * `x-api-key` on the page's own requests only.
 * A per-response nonce locks the CSP, so markup that slipped through escaping still could not run a script.
 */
export function renderConsolePage(): { html: string; contentSecurityPolicy: string } {
  const nonce = randomBytes(16).toString('base64');
  // Only this response's own script and style run, and the script may talk to this origin alone.
  const directives: Record<string, string> = {
    'default-src': "'none'",
    'script-src': `'nonce-${nonce}'`,
    'style-src': `'nonce-${nonce}'`,
    'connect-src': "'self'",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': "'none'",
  };
  const contentSecurityPolicy = Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
  return { html: PAGE(nonce), contentSecurityPolicy };
}

const STYLE = `
  :root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db44; --ok: #15803d; --bad: #b91c1c; --warn: #b45309; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem auto; max-width: 90rem; padding: 0 1rem; }
  header { display: flex; align-items: baseline; gap: 1rem; }
  h1 { font-size: 1.3rem; margin: 0; } h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
  #live-status { color: var(--muted); } body[data-live="ok"] #live-status { color: var(--ok); } body[data-live="error"] #live-status { color: var(--bad); }
  .hint { color: var(--muted); }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  .mono, pre { font-family: ui-monospace, monospace; font-size: 12px; }
  td.url { word-break: break-all; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
  pre.excerpt { margin: 0; max-width: 36rem; max-height: 6rem; overflow: auto; white-space: pre-wrap; word-break: break-all; }
  .status-succeeded { color: var(--ok); } .status-failed, .status-gone, tr.failing .failing-since { color: var(--bad); }
  .status-pending, .status-delivering { color: var(--warn); }
  #deliveries tbody tr { cursor: pointer; } tr.selected { background: #3b82f622; }
  form#filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .5rem 0; }
  form#filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
  button.link { background: none; border: 0; padding: 0; color: inherit; text-decoration: underline; cursor: pointer; font: inherit; }
  #detail:empty { display: none; } #detail { border: 1px solid var(--line); border-radius: 6px; padding: .2rem .8rem .8rem; margin-top: 1rem; }
  form#key-form { margin: .6rem 0; } form#key-form[hidden] { display: none; }
  #message:empty { display: none; } #message { color: var(--bad); }
`;

const SCRIPT = `
(() => {
  const base = location.pathname.replace(/\\/+$/, '');
  const form = document.getElementById('filters');
  const body = document.body;
  const keyForm = document.getElementById('key-form');
  const KEY_ITEM = 'runhook.apiKey';
  let selected = null;
  let busy = false;

  function headers(extra) {
    const key = sessionStorage.getItem(KEY_ITEM);
    return key ? { ...extra, 'x-api-key': key } : extra;
  }

  function askForKey(response) {
    if (response.status !== 401) return;
    keyForm.hidden = false;
    keyForm.elements.api_key.focus();
  }

  async function getJson(path) {
    const response = await fetch(base + path, { headers: headers({ accept: 'application/json' }), credentials: 'same-origin' });
    if (!response.ok) {
      askForKey(response);
      throw new Error(path.split('?')[0] + ' answered ' + response.status);
    }
    return response.json();
  }

  keyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_ITEM, keyForm.elements.api_key.value.trim());
    keyForm.elements.api_key.value = '';
    keyForm.hidden = true;
    refresh();
  });

  function query() {
    const params = new URLSearchParams({ limit: '50' });
    for (const name of ['status', 'run_id', 'thread_id', 'cron_id', 'endpoint']) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    return params.toString();
  }

  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      const [deliveries, endpoints, detail] = await Promise.all([
        getJson('/deliveries?' + query()),
        getJson('/endpoints'),
        selected ? getJson('/deliveries/' + encodeURIComponent(selected)) : Promise.resolve(null),
      ]);
      document.querySelector('#deliveries tbody').innerHTML = renderDeliveryRows(deliveries, selected);
      document.querySelector('#endpoints tbody').innerHTML = renderEndpoints(endpoints);
      document.getElementById('detail').innerHTML = detail ? renderAttempts(detail) : '';
      body.dataset.count = String(deliveries.length);
      body.dataset.live = 'ok';
      document.getElementById('live-status').textContent = 'live, updated ' + new Date().toLocaleTimeString();
    } catch (error) {
      body.dataset.live = 'error';
      document.getElementById('live-status').textContent = String(error.message || error);
    } finally {
      busy = false;
    }
  }

  document.querySelector('#deliveries tbody').addEventListener('click', (event) => {
    const row = event.target.closest('tr[data-delivery-id]');
    if (!row) return;
    selected = row.dataset.deliveryId;
    refresh();
  });
  document.getElementById('endpoints').addEventListener('click', (event) => {
    const button = event.target.closest('[data-filter-endpoint]');
    if (!button) return;
    form.elements.endpoint.value = button.dataset.filterEndpoint;
    refresh();
  });
  document.getElementById('detail').addEventListener('click', async (event) => {
    const button = event.target.closest('#redeliver');
    if (!button) return;
    button.disabled = true;
    const message = document.getElementById('message');
    message.textContent = '';
    try {
      const response = await fetch(base + '/deliveries/' + encodeURIComponent(button.dataset.deliveryId) + '/redeliver', { method: 'POST', headers: headers({}), credentials: 'same-origin' });
      if (!response.ok) {
        askForKey(response);
        const answer = await response.json().catch(() => ({}));
        message.textContent = 'Redeliver answered ' + response.status + (answer.detail ? ': ' + answer.detail : '');
      }
    } catch (error) {
      message.textContent = String(error.message || error);
    }
    refresh();
  });
  form.addEventListener('input', () => refresh());
  form.addEventListener('submit', (event) => { event.preventDefault(); refresh(); });
  refresh();
  setInterval(refresh, 1000);
})();
`;

const PAGE = (nonce: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Runhook webhook deliveries</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body data-live="connecting" data-count="0">
<header><h1>Runhook webhook deliveries</h1><span id="live-status">loading…</span></header>
<form id="key-form" hidden><label>API key (RUNHOOK_API_KEYS) <input name="api_key" type="password" autocomplete="off" size="40"></label> <button type="submit">Use key</button> <span class="hint">kept in this tab only</span></form>
<h2>Endpoints, last hour</h2>
<table id="endpoints">
  <thead><tr><th>Endpoint</th><th>Attempts</th><th>Success</th><th>p50 latency</th><th>Last status</th><th>Failing since</th></tr></thead>
  <tbody></tbody>
</table>
<h2>Deliveries</h2>
<form id="filters">
  <label>Status <select name="status"><option value="">any</option>${DELIVERY_STATUSES.map((status) => `<option>${status}</option>`).join('')}</select></label>
  <label>Run <input name="run_id" size="36" placeholder="run id"></label>
  <label>Thread <input name="thread_id" size="36" placeholder="thread id"></label>
  <label>Cron <input name="cron_id" size="36" placeholder="cron id"></label>
  <label>Endpoint <input name="endpoint" size="28" placeholder="https://host:8443"></label>
</form>
<table id="deliveries">
  <thead><tr><th>Status</th><th>Run</th><th>Thread</th><th>Cron</th><th>URL</th><th>Attempts</th><th>Last code</th><th>Next attempt</th><th>Updated</th></tr></thead>
  <tbody></tbody>
</table>
<p id="message"></p>
<section id="detail"></section>
<p class="hint">JSON: <a href="webhooks/deliveries">/webhooks/deliveries</a>, <a href="webhooks/endpoints">/webhooks/endpoints</a>. Click a delivery for its attempts.</p>
<script nonce="${nonce}">${CONSOLE_RENDER_JS}${SCRIPT}</script>
</body>
</html>
`;
