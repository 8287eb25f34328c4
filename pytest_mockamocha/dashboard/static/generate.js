// Generated data for an endpoint's response schema: count, seed, custom fields; a
// preview table; the records as JSON or CSV files.

import { api } from './api.js';
import { download, errorBox, field, fieldError, fill, h, table } from './dom.js';

const PREVIEW_ROWS = 20;

export function renderGenerate(box, endpoint) {
  const count = field('How many records', h('input', { name: 'count', type: 'number', min: 1, max: 1000, value: '10' }));
  const seed = field('Seed', h('input', { name: 'seed', type: 'number', step: 1, placeholder: 'random' }), 'The same seed gives the same records.');
  const custom = field(
    'Custom fields (JSON)',
    h('textarea', { name: 'custom-fields', rows: 3, class: 'code', spellcheck: 'false', placeholder: '{"user_type": ["premium", "basic"]}' }),
    'A list picks among its values; {"min": a, "max": b} a number between them; a value sets it.',
  );
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'generate' }, count.wrap, seed.wrap, custom.wrap, h('button', { type: 'submit', class: 'primary' }, 'Generate'), out);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fieldError(custom, '');
    let customFields;
    if (custom.input.value.trim()) {
      try {
        customFields = JSON.parse(custom.input.value);
      } catch (error) {
        fieldError(custom, `Not JSON: ${error.message}`);
        custom.input.focus();
        return;
      }
    }
    fill(out, h('p', {}, 'Generating…'));
    try {
      const made = await api.generateData(endpoint.id, {
        count: Number(count.input.value),
        seed: seed.input.value === '' ? undefined : Number(seed.input.value),
        custom_fields: customFields,
      });
      fill(out, preview(made, endpoint));
    } catch (error) {
      fill(out, errorBox(error));
    }
  });
  fill(box, h('h2', { id: 'generate-title' }, 'Generate data'), form);
}

const cell = (value) => (value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

function columnsOf(records) {
  const columns = [];
  for (const record of records) {
    if (record && typeof record === 'object' && !Array.isArray(record)) {
      for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key);
    }
  }
  return columns;
}

export function toCsv(records) {
  const columns = columnsOf(records);
  const quote = (text) => (/[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  if (!columns.length) return ['value', ...records.map((r) => quote(cell(r)))].join('\r\n');
  return [columns.map(quote).join(','), ...records.map((r) => columns.map((c) => quote(cell(r?.[c]))).join(','))].join('\r\n');
}

function preview(made, endpoint) {
  const records = made.records || made.data_preview || [];
  const columns = columnsOf(records);
  const shown = records.slice(0, PREVIEW_ROWS);
  const rows = shown.map((r) =>
    columns.length
      ? h('tr', {}, columns.map((c) => h('td', { 'data-label': c }, cell(r?.[c]))))
      : h('tr', {}, h('td', {}, cell(r))),
  );
  const base = `${endpoint.operation_id || endpoint.id}-seed-${made.seed}`;
  return h(
    'div',
    {},
    h('p', {}, `${made.records_generated} records (seed ${made.seed}); the first ${shown.length} are shown.`),
    table(null, columns.length ? columns : ['value'], rows, { className: 'grid preview' }),
    h(
      'p',
      { class: 'buttons' },
      h('button', { type: 'button', onclick: () => download(`${base}.json`, 'application/json', JSON.stringify(records, null, 2)) }, 'Download JSON'),
      h('button', { type: 'button', onclick: () => download(`${base}.csv`, 'text/csv', toCsv(records)) }, 'Download CSV'),
    ),
  );
}
