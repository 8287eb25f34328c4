// One endpoint: its parameters, request and response schemas, examples and traffic; a
// "try it" panel that calls the mock; its rules; generated data.

import { api } from './api.js';
import { field, fill, h, table, when } from './dom.js';
import { renderGenerate } from './generate.js';
import { renderRules } from './rules.js';
import { contentView, documentOf, operationOf, resolve, schemaView } from './schema.js';

export async function renderEndpoint(main, { params: [endpointId] }) {
  const endpoint = await api.endpoints.get(endpointId);
  const collection = await api.collections.get(endpoint.collection_id);
  const doc = await documentOf(collection);
  const op = doc ? operationOf(doc, endpoint.method, endpoint.path) : null;
  const rules = h('section', { class: 'card', 'aria-labelledby': 'rules-title' });
  const generate = h('section', { class: 'card', 'aria-labelledby': 'generate-title' });
  fill(
    main,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/collections' }, 'Collections'),
      ' / ',
      h('a', { href: `#/collections/${encodeURIComponent(collection.id)}` }, collection.name),
      ' / ',
    ),
    h('h1', {}, h('span', { class: `method m-${endpoint.method.toLowerCase()}` }, endpoint.method), ' ', endpoint.path),
    endpoint.name && endpoint.name !== `${endpoint.method} ${endpoint.path}` ? h('p', { class: 'lead' }, endpoint.name) : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Operation'),
      h('dd', {}, endpoint.operation_id || endpoint.operation),
      h('dt', {}, 'Requests'),
      h('dd', {}, String(endpoint.requests_count)),
      h('dt', {}, 'Last request'),
      h('dd', {}, when(endpoint.last_request_at)),
      h('dt', {}, 'Rules'),
      h('dd', {}, String(endpoint.response_rules_count)),
    ),
    op ? contract(doc, op) : h('p', { class: 'notice' }, 'The document of this collection is not stored: its schemas cannot be shown.'),
    tryIt(collection, endpoint),
    rules,
    generate,
  );
  await Promise.all([renderRules(rules, endpoint, op), renderGenerate(generate, endpoint)]);
}

function contract(doc, op) {
  const parts = [h('h2', { id: 'contract-title' }, 'Contract')];
  if (op.description || op.summary) parts.push(h('p', { class: 'desc' }, op.description || op.summary));
  if (op.parameters.length) {
    const rows = op.parameters.map((p) =>
      h(
        'tr',
        {},
        h('td', { 'data-label': 'Name' }, h('code', {}, p.name)),
        h('td', { 'data-label': 'In' }, p.in),
        h('td', { 'data-label': 'Required' }, p.required ? 'yes' : 'no'),
        h('td', { 'data-label': 'Schema' }, p.schema ? schemaView(doc, p.schema) : '—', p.description ? h('p', { class: 'desc' }, p.description) : null),
      ),
    );
    parts.push(h('h3', {}, 'Parameters'), table(null, ['Name', 'In', 'Required', 'Schema'], rows));
  } else {
    parts.push(h('h3', {}, 'Parameters'), h('p', { class: 'muted' }, 'None.'));
  }
  const body = resolve(doc, op.requestBody);
  if (body) {
    parts.push(h('h3', {}, `Request body${body.required ? ' (required)' : ''}`), body.description ? h('p', { class: 'desc' }, body.description) : null, contentView(doc, body.content));
  }
  parts.push(h('h3', {}, 'Responses'));
  for (const [status, raw] of Object.entries(op.responses || {})) {
    const response = resolve(doc, raw) || {};
    parts.push(
      h(
        'details',
        { class: 'response', open: /^2/.test(status) },
        h('summary', {}, h('strong', {}, status), ' ', response.description || ''),
        contentView(doc, response.content),
      ),
    );
  }
  return h('section', { class: 'card contract', 'aria-labelledby': 'contract-title' }, parts);
}

const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);

function tryIt(collection, endpoint) {
  // the template's own names: a document may forget to declare one (it is then a string)
  const names = [...endpoint.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const pathFields = names.map((name) => [name, field(`Path parameter ${name}`, h('input', { name: `path-${name}`, required: true }))]);
  const query = field('Query string', h('input', { name: 'query', placeholder: 'limit=2&status=sold' }));
  const headers = field('Headers', h('textarea', { name: 'headers', rows: 2, class: 'code', placeholder: 'X-API-Key: test-1' }), 'One "Name: value" a line.');
  const body = field('Body (JSON)', h('textarea', { name: 'body', rows: 4, class: 'code', spellcheck: 'false' }));
  const answer = h('div', { class: 'answer', 'aria-live': 'polite' });
  const form = h(
    'form',
    {},
    pathFields.map(([, f]) => f.wrap),
    query.wrap,
    headers.wrap,
    BODYLESS.has(endpoint.method) ? null : body.wrap,
    h('button', { type: 'submit', class: 'primary' }, `Send ${endpoint.method}`),
    answer,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let path = endpoint.path;
    for (const [name, f] of pathFields) path = path.replace(`{${name}}`, encodeURIComponent(f.input.value));
    const q = query.input.value.replace(/^\?/, '');
    const url = `/mocks/${encodeURIComponent(collection.slug)}${path}${q ? `?${q}` : ''}`;
    const sent = new Headers();
    try {
      for (const line of headers.input.value.split('\n')) {
        const at = line.indexOf(':');
        if (at > 0) sent.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
    } catch (error) {
      fill(answer, h('p', { class: 'error-box', role: 'alert' }, `Headers: ${error.message}`));
      return;
    }
    const init = { method: endpoint.method, headers: sent, credentials: 'omit' };
    if (!BODYLESS.has(endpoint.method) && body.input.value.trim()) {
      init.body = body.input.value;
      if (!sent.has('Content-Type')) sent.set('Content-Type', 'application/json');
    }
    fill(answer, h('p', {}, 'Sending…'));
    const started = performance.now();
    try {
      const response = await fetch(url, init);
      const textBody = await response.text();
      const ms = Math.round(performance.now() - started);
      let shown = textBody;
      try {
        shown = JSON.stringify(JSON.parse(textBody), null, 2);
      } catch {
        // not JSON: shown as it came
      }
      fill(
        answer,
        h('p', { class: 'status-line' }, h('strong', { class: `status s${String(response.status)[0]}xx` }, `${response.status} ${response.statusText}`), ` in ${ms} ms — ${endpoint.method} ${url}`),
        h('details', {}, h('summary', {}, 'Response headers'), h('pre', { class: 'code', tabindex: 0 }, [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n'))),
        h('pre', { class: 'code', tabindex: 0, 'data-answer': '' }, shown || '(empty body)'),
      );
    } catch (error) {
      fill(answer, h('p', { class: 'error-box', role: 'alert' }, `No answer: ${error.message}`));
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'try-title' }, h('h2', { id: 'try-title' }, 'Try it'), form);
}
