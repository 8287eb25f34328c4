// The live request log: polls the journal every two seconds; new requests appear at the
// top without reloading. Filters: collection, status, contract violations only. A
// request's detail shows its line, verdict, headers and bodies, and the answer.

import { all, api } from './api.js';
import { field, fill, h, table, when } from './dom.js';

const POLL_MS = 2000;

export async function renderRequests(main) {
  const collections = await all(api.collections.iter());
  const names = new Map(collections.map((c) => [c.id, c.name]));
  const collection = field(
    'Collection',
    h('select', { name: 'collection' }, h('option', { value: '' }, 'All'), collections.map((c) => h('option', { value: c.id }, c.name))),
  );
  const status = field('Status', h('input', { name: 'status', type: 'number', min: 100, max: 599, placeholder: 'any' }));
  const broken = h('input', { type: 'checkbox', name: 'violations', id: 'only-violations' });
  const pause = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Pause');
  const announce = h('p', { class: 'live-count', 'aria-live': 'polite' });
  const list = h('div');
  const detail = h('section', { class: 'card detail', 'aria-labelledby': 'detail-title', hidden: true });
  const seen = new Set();
  let first = true;
  let paused = false;
  let selected = null;
  let timer = null;

  const query = () => {
    const params = { per_page: 50 };
    if (collection.input.value) params.collection_id = collection.input.value;
    if (status.input.value) params.status = status.input.value;
    if (broken.checked) params.violations = 'true';
    return params;
  };
  const refresh = async () => {
    const listing = await api.request('GET', '/api/requests', { query: query() });
    const fresh = listing.requests.filter((r) => !seen.has(r.id));
    for (const r of listing.requests) seen.add(r.id);
    if (!first && fresh.length) announce.textContent = `${fresh.length} new request${fresh.length === 1 ? '' : 's'}`;
    const freshIds = new Set(first ? [] : fresh.map((r) => r.id));
    first = false;
    const rows = listing.requests.map((r) => row(r, freshIds.has(r.id), names, async (chosen) => {
      selected = chosen.id;
      let full = chosen;
      try {
        full = await api.request('GET', `/api/requests/${encodeURIComponent(chosen.id)}`);
      } catch {
        // dropped from the journal meanwhile: show what the list had
      }
      showDetail(detail, full, names);
    }));
    fill(
      list,
      h('p', { class: 'count' }, `${listing.total} request${listing.total === 1 ? '' : 's'} kept; the latest ${listing.requests.length} shown`),
      rows.length ? table(null, ['Time', 'Request', 'Status', 'Collection', 'Answered by', 'Violations'], rows, { className: 'grid log' }) : h('p', { class: 'muted' }, 'No requests yet: send one to a mock.'),
    );
    if (selected) {
      const again = listing.requests.find((r) => r.id === selected);
      if (again) list.querySelector(`[data-request="${again.id}"]`)?.classList.add('selected');
    }
  };
  const tick = async () => {
    if (!paused) await refresh().catch(() => undefined);
    timer = setTimeout(tick, POLL_MS);
  };
  const restart = () => {
    seen.clear();
    first = true;
    refresh();
  };
  collection.input.addEventListener('change', restart);
  status.input.addEventListener('change', restart);
  broken.addEventListener('change', restart);
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
  });
  fill(
    main,
    h('h1', {}, 'Requests'),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
      collection.wrap,
      status.wrap,
      h('div', { class: 'field check' }, broken, h('label', { for: 'only-violations' }, 'Contract violations only')),
      h('div', { class: 'field' }, pause),
    ),
    announce,
    h('div', { class: 'split' }, list, detail),
  );
  await refresh();
  timer = setTimeout(tick, POLL_MS);
  return () => clearTimeout(timer);
}

function row(r, isNew, names, onOpen) {
  const open = h('button', { type: 'button', class: 'link', onclick: () => onOpen(r) }, `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`);
  return h(
    'tr',
    { 'data-request': r.id, class: isNew ? 'new' : null },
    h('td', { 'data-label': 'Time' }, when(r.timestamp)),
    h('td', { 'data-label': 'Request' }, open),
    h('td', { 'data-label': 'Status' }, h('span', { class: `status s${String(r.status)[0]}xx` }, String(r.status))),
    h('td', { 'data-label': 'Collection' }, names.get(r.collection_id) || r.collection),
    h('td', { 'data-label': 'Answered by' }, r.rule_id ? `rule ${r.rule_id}` : r.source),
    h('td', { class: 'num', 'data-label': 'Violations' }, String(r.violations.length)),
  );
}

function showDetail(box, r, names) {
  const item = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
  fill(
    box,
    h('h2', { id: 'detail-title' }, `${r.method} ${r.path}`),
    h(
      'dl',
      { class: 'facts' },
      item('Request id', r.id),
      item('Time', when(r.timestamp)),
      item('Collection', names.get(r.collection_id) || r.collection),
      item('Operation', r.operation || 'none matched'),
      item('Query', r.query || '—'),
      item('Parameters sent', r.params.length ? r.params.join(', ') : '—'),
      item('Answer', `${r.status} in ${r.response_time_ms} ms`),
      item('Answered by', r.rule_id ? `rule ${r.rule_id}` : `${r.source} (no rule)`),
      item('Test', r.test || '—'),
    ),
    h('h3', {}, `Contract violations (${r.violations.length})`),
    r.violations.length ? h('ul', { class: 'violations' }, r.violations.map((v) => h('li', {}, v))) : h('p', { class: 'muted' }, 'None: the request kept to the contract.'),
    exchangeView(r.exchange),
  );
  box.hidden = false;
  box.focus?.();
}

function headerList(headers) {
  return h('pre', { class: 'code', tabindex: 0 }, headers.map(([k, v]) => `${k}: ${v}`).join('\n') || '(none)');
}

function bodyView(body) {
  if (!body.size) return h('p', { class: 'muted' }, 'No body.');
  let text = body.text;
  try {
    text = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON (or cut short): shown as it came
  }
  return [
    h('pre', { class: 'code', tabindex: 0 }, text),
    body.truncated ? h('p', { class: 'hint' }, `The first ${body.text.length} of ${body.size} bytes.`) : null,
  ];
}

function exchangeView(exchange) {
  if (!exchange) {
    return h('p', { class: 'hint' }, 'Headers and bodies are kept for the last 500 requests made since the dashboard was first opened on this server; this one has none.');
  }
  return [
    h('h3', {}, 'Request headers'),
    headerList(exchange.request.headers),
    h('h3', {}, 'Request body'),
    bodyView(exchange.request.body),
    h('h3', {}, `The answer: ${exchange.response.status}`),
    headerList(exchange.response.headers),
    bodyView(exchange.response.body),
  ];
}
