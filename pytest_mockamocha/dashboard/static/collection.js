// One collection's endpoints, filtered by method, path and tag as you type.

import { all, api } from './api.js';
import { copy, field, fill, h, table, when } from './dom.js';
import { documentOf, operationOf } from './schema.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];

export async function renderCollection(main, { params: [collectionId] }) {
  const collection = await api.collections.get(collectionId);
  const [endpoints, doc] = await Promise.all([
    all(api.endpoints.iter({ collection_id: collectionId })),
    documentOf(collection),
  ]);
  const tagsOf = new Map(
    endpoints.map((e) => [e.id, (doc && operationOf(doc, e.method, e.path)?.tags) || []]),
  );
  const tags = [...new Set([...tagsOf.values()].flat())].sort();
  const method = field(
    'Method',
    h('select', { name: 'method' }, h('option', { value: '' }, 'Any'), METHODS.map((m) => h('option', { value: m }, m))),
  );
  const path = field('Path contains', h('input', { name: 'path', type: 'search' }));
  const tag = field(
    'Tag',
    h('select', { name: 'tag' }, h('option', { value: '' }, 'Any'), tags.map((t) => h('option', { value: t }, t))),
  );
  const results = h('div', { 'aria-live': 'polite' });
  const draw = () => {
    const m = method.input.value;
    const p = path.input.value.toLowerCase();
    const t = tag.input.value;
    const shown = endpoints.filter(
      (e) => (!m || e.method === m) && (!p || e.path.toLowerCase().includes(p)) && (!t || tagsOf.get(e.id).includes(t)),
    );
    const rows = shown.map((e) =>
      h(
        'tr',
        {},
        h('td', { 'data-label': 'Method' }, h('span', { class: `method m-${e.method.toLowerCase()}` }, e.method)),
        h('td', { 'data-label': 'Path' }, h('a', { href: `#/endpoints/${encodeURIComponent(e.id)}` }, e.path)),
        h('td', { 'data-label': 'Name' }, e.name),
        h('td', { 'data-label': 'Tags' }, tagsOf.get(e.id).join(', ')),
        h('td', { class: 'num', 'data-label': 'Rules' }, String(e.response_rules_count)),
        h('td', { class: 'num', 'data-label': 'Requests' }, String(e.requests_count)),
        h('td', { 'data-label': 'Last request' }, when(e.last_request_at)),
      ),
    );
    fill(
      results,
      h('p', { class: 'count' }, `${shown.length} of ${endpoints.length} endpoints`),
      shown.length ? table(null, ['Method', 'Path', 'Name', 'Tags', 'Rules', 'Requests', 'Last request'], rows) : null,
    );
  };
  for (const f of [method, path, tag]) f.input.addEventListener('input', draw);
  const copyButton = h('button', { type: 'button', class: 'small', onclick: () => copy(collection.mock_url) }, 'Copy');
  copyButton.setAttribute('aria-label', 'Copy the mock URL');
  fill(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/collections' }, 'Collections'), ' / '),
    h('h1', {}, collection.name),
    collection.description ? h('p', {}, collection.description) : null,
    h('p', {}, 'Mock URL: ', h('code', { class: 'url' }, collection.mock_url), ' ', copyButton),
    doc ? null : h('p', { class: 'notice' }, 'This collection is served from a file: its document is not stored, so tags and schemas are not shown.'),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() }, method.wrap, path.wrap, tag.wrap),
    results,
  );
  draw();
}
