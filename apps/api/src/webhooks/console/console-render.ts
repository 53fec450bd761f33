/**
 * The console's rendering functions, as the browser runs them: plain JavaScript text inlined into the page, and
 * evaluated as is by the unit tests (console-render.spec.ts), so what is tested is byte for byte what ships.
 * Every value that reaches markup goes through `esc`: payload bytes, errors and URLs are attacker-controlled.
 * `redactUrl` hides credentials for display until the delivery-log API redacts URLs itself (then it is a no-op on
 * already-redacted text).
 */
export const CONSOLE_RENDER_JS = String.raw`
function esc(value) {
  return String(value === null || value === undefined ? '' : value).replace(/[&<>"'\u0060]/g, (c) => '&#' + c.charCodeAt(0) + ';');
}

const SECRET_PARAM = /token|secret|key|sig|pass|auth|code|session|jwt/i;

function redactUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return '[unparseable URL]';
  }
  if (parsed.password) parsed.password = 'redacted';
  if (parsed.username && parsed.password) parsed.username = 'redacted';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, 'redacted');
  }
  return parsed.toString();
}

function when(iso) {
  return iso ? esc(iso.replace('T', ' ').replace('Z', '')) : '';
}

function statusCell(status) {
  return '<td class="status status-' + esc(status) + '">' + esc(status) + '</td>';
}

function renderDeliveryRows(deliveries, selectedId) {
  return deliveries
    .map((d) =>
      '<tr data-delivery-id="' + esc(d.delivery_id) + '" data-status="' + esc(d.status) + '"' + (d.delivery_id === selectedId ? ' class="selected"' : '') + '>' +
      statusCell(d.status) +
      '<td class="mono">' + esc(d.run_id) + '</td>' +
      '<td class="mono">' + esc(d.thread_id) + '</td>' +
      '<td class="mono">' + esc(d.cron_id) + '</td>' +
      '<td class="mono url">' + esc(redactUrl(d.url)) + '</td>' +
      '<td class="num">' + esc(d.attempts) + '</td>' +
      '<td class="num">' + esc(d.last_status_code) + '</td>' +
      '<td>' + when(d.next_attempt_at) + '</td>' +
      '<td>' + when(d.updated_at) + '</td>' +
      '</tr>')
    .join('');
}

function renderAttempts(detail) {
  const rows = detail.attempts_log
    .map((a) =>
      '<tr data-attempt="' + esc(a.attempt) + '">' +
      '<td class="num">' + esc(a.attempt) + '</td>' +
      '<td>' + when(a.started_at) + '</td>' +
      '<td class="num code">' + esc(a.status_code === null ? '—' : a.status_code) + '</td>' +
      '<td class="num">' + esc(a.duration_ms) + ' ms</td>' +
      '<td class="error">' + esc(a.error) + '</td>' +
      '<td><pre class="excerpt">' + esc(a.response_excerpt) + '</pre></td>' +
      '</tr>')
    .join('');
  return (
    '<h2>Delivery <span class="mono">' + esc(detail.delivery_id) + '</span> ' +
    '<span class="status-' + esc(detail.status) + '" id="detail-status">' + esc(detail.status) + '</span></h2>' +
    '<p class="mono url">' + esc(redactUrl(detail.url)) + '</p>' +
    '<p>webhook-id <span class="mono">' + esc(detail.webhook_id) + '</span>; delivered ' + (when(detail.delivered_at) || 'not yet') + '</p>' +
    '<button type="button" id="redeliver" data-delivery-id="' + esc(detail.delivery_id) + '"' + (detail.status === 'delivering' ? ' disabled' : '') + '>Redeliver</button>' +
    '<table id="attempts"><thead><tr><th>#</th><th>Started</th><th>Status code</th><th>Latency</th><th>Error</th><th>First bytes of the answer</th></tr></thead>' +
    '<tbody>' + (rows || '<tr><td colspan="6" class="hint">No attempt yet.</td></tr>') + '</tbody></table>'
  );
}

function renderEndpoints(lines) {
  return lines
    .map((e) =>
      '<tr data-endpoint="' + esc(e.endpoint) + '"' + (e.failing_since ? ' class="failing"' : '') + '>' +
      '<td class="mono"><button type="button" class="link" data-filter-endpoint="' + esc(e.endpoint) + '">' + esc(e.endpoint) + '</button></td>' +
      '<td class="num">' + esc(e.attempts) + '</td>' +
      '<td class="num">' + esc(Math.round(e.success_rate * 1000) / 10) + ' %</td>' +
      '<td class="num">' + esc(e.p50_latency_ms) + ' ms</td>' +
      '<td class="num">' + esc(e.last_status_code === null ? '—' : e.last_status_code) + '</td>' +
      '<td class="failing-since">' + (e.failing_since ? when(e.failing_since) : 'healthy') + '</td>' +
      '</tr>')
    .join('');
}
`;
