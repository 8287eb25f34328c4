// OpenAPI documents shown readably: an operation's parameters, bodies and responses, and
// schemas as nested lists of properties with their types and constraints. Every string
// from the document is untrusted and goes through text nodes.

import { api } from './api.js';
import { h } from './dom.js';

const documents = new Map();

/** The stored document of a collection (null when it has none), fetched once per version. */
export async function documentOf(collection) {
  const key = `${collection.id}@${collection.updated_at}`;
  if (!documents.has(key)) {
    documents.set(
      key,
      api
        .request('GET', `/api/collections/${encodeURIComponent(collection.id)}/spec`)
        .then((found) => (typeof found.spec === 'string' ? JSON.parse(found.spec) : found.spec))
        .catch((error) => {
          if (error.status === 404) return null;
          throw error;
        }),
    );
  }
  return documents.get(key);
}

/** `#/components/schemas/Pet` in `doc` (null when it does not resolve). */
export function resolve(doc, value) {
  let node = value;
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (seen.has(node.$ref) || !node.$ref.startsWith('#/')) return node;
    seen.add(node.$ref);
    node = node.$ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, key) => (at && typeof at === 'object' ? at[key] : undefined), doc);
  }
  return node ?? null;
}

/** The operation object of `method path` in `doc`, with the path's own parameters. */
export function operationOf(doc, method, path) {
  const item = resolve(doc, doc?.paths?.[path]);
  const op = item?.[method.toLowerCase()];
  if (!op) return null;
  const params = [...(item.parameters || []), ...(op.parameters || [])].map((p) => resolve(doc, p));
  const unique = new Map(params.filter(Boolean).map((p) => [`${p.in}:${p.name}`, p]));
  return { ...op, parameters: [...unique.values()] };
}

const text = (value) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

function typeOf(schema) {
  if (!schema || typeof schema !== 'object') return 'any';
  if (schema.$ref) return schema.$ref.split('/').pop();
  let type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (!type && schema.properties) type = 'object';
  if (!type && (schema.oneOf || schema.anyOf)) type = schema.oneOf ? 'one of' : 'any of';
  if (!type && schema.allOf) type = 'all of';
  if (schema.format) type = `${type || 'any'} (${schema.format})`;
  if (schema.nullable) type = `${type} | null`;
  return type || 'any';
}

function constraints(schema) {
  const out = [];
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern', 'default']) {
    if (schema[key] !== undefined) out.push(`${key} ${text(schema[key])}`);
  }
  if (Array.isArray(schema.enum)) out.push(`one of ${schema.enum.map(text).join(', ')}`);
  if (schema.readOnly) out.push('read-only');
  if (schema.writeOnly) out.push('write-only');
  if (schema.deprecated) out.push('deprecated');
  return out;
}

/** A schema as a readable tree: names, types, required marks, constraints, descriptions. */
export function schemaView(doc, raw, depth = 0, seen = new Set()) {
  const schema = resolve(doc, raw) || {};
  const ref = raw && raw.$ref;
  const head = h(
    'span',
    { class: 'type' },
    typeOf(ref ? raw : schema),
    ...constraints(schema).map((c) => h('span', { class: 'constraint' }, c)),
  );
  const parts = [head];
  if (schema.description) parts.push(h('p', { class: 'desc' }, text(schema.description)));
  if (ref && seen.has(ref)) {
    parts.push(h('p', { class: 'muted' }, '(recursive: shown above)'));
    return h('div', { class: 'schema' }, parts);
  }
  const inner = ref ? new Set([...seen, ref]) : seen;
  if (depth > 8) return h('div', { class: 'schema' }, parts);
  if (schema.properties && typeof schema.properties === 'object') {
    const required = new Set(schema.required || []);
    parts.push(
      h(
        'ul',
        { class: 'props' },
        Object.entries(schema.properties).map(([name, sub]) =>
          h(
            'li',
            {},
            h('code', { class: 'prop' }, name),
            required.has(name) ? h('span', { class: 'required' }, 'required') : null,
            schemaView(doc, sub, depth + 1, inner),
          ),
        ),
      ),
    );
  }
  if (schema.items) parts.push(h('div', { class: 'items' }, h('span', { class: 'muted' }, 'items: '), schemaView(doc, schema.items, depth + 1, inner)));
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    if (Array.isArray(schema[key])) {
      parts.push(h('ol', { class: 'variants', 'aria-label': key }, schema[key].map((s) => h('li', {}, schemaView(doc, s, depth + 1, inner)))));
    }
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    parts.push(h('div', { class: 'items' }, h('span', { class: 'muted' }, 'other keys: '), schemaView(doc, schema.additionalProperties, depth + 1, inner)));
  }
  return h('div', { class: 'schema' }, parts);
}

/** The examples of a media type object, each as a titled block of JSON text. */
export function examplesView(doc, media) {
  const out = [];
  if (media?.example !== undefined) out.push(['example', media.example]);
  for (const [name, raw] of Object.entries(media?.examples || {})) {
    const example = resolve(doc, raw);
    if (example && example.value !== undefined) out.push([example.summary || name, example.value]);
  }
  if (!out.length) return null;
  return h(
    'div',
    { class: 'examples' },
    out.map(([name, value]) =>
      h('figure', {}, h('figcaption', {}, `Example: ${name}`), h('pre', { class: 'code', tabindex: 0 }, JSON.stringify(value, null, 2))),
    ),
  );
}

/** A request body or response's content: per media type, its schema and examples. */
export function contentView(doc, content) {
  return Object.entries(content || {}).map(([type, media]) =>
    h(
      'div',
      { class: 'media' },
      h('p', {}, h('code', {}, type)),
      media?.schema ? schemaView(doc, media.schema) : h('p', { class: 'muted' }, 'No schema.'),
      examplesView(doc, media),
    ),
  );
}
