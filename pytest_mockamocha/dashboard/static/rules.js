// An endpoint's rules: list, create, edit, delete. The rule is the same object as in YAML
// rule files; a form covers the common case (match query and headers, answer with a
// status, JSON body, headers and delay), the JSON editor everything else. The server's
// validation errors are shown at the field they name; the editor takes YAML or JSON.

import { api } from './api.js';
import { errorBox, field, fieldError, fill, h, problem, table, toast } from './dom.js';

const SIMPLE_RESPONSE = new Set(['status', 'json', 'headers', 'delay']);

export async function renderRules(box, endpoint, op) {
  const listing = await api.rules.list(endpoint.id, { per_page: 100 });
  const editor = h('div');
  const rows = listing.rules.map((rule) =>
    h(
      'tr',
      { 'data-rule': rule.id },
      h('td', { 'data-label': 'Name' }, rule.name || rule.id),
      h('td', { class: 'num', 'data-label': 'Priority' }, String(rule.priority)),
      h('td', { 'data-label': 'Enabled' }, rule.enabled ? 'yes' : 'no'),
      h('td', { 'data-label': 'Match' }, h('code', {}, Object.keys(rule.match).length ? JSON.stringify(rule.match) : 'every request')),
      h('td', { 'data-label': 'Answer' }, h('code', {}, JSON.stringify(rule.response))),
      h('td', { class: 'num', 'data-label': 'Hits' }, String(rule.hits)),
      h(
        'td',
        { class: 'actions', 'data-label': 'Actions' },
        h('button', { type: 'button', 'aria-label': `Edit rule ${rule.name || rule.id}`, onclick: () => openEditor(editor, endpoint, op, rule, box) }, 'Edit'),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'aria-label': `Delete rule ${rule.name || rule.id}`,
            onclick: async () => {
              if (!window.confirm(`Delete the rule "${rule.name || rule.id}"?`)) return;
              try {
                await api.rules.delete(endpoint.id, rule.id);
                toast('Rule deleted');
                await renderRules(box, endpoint, op);
              } catch (error) {
                toast(problem(error), 'bad');
              }
            },
          },
          'Delete',
        ),
      ),
    ),
  );
  const warnings = listing.rules.flatMap((r) => r.warnings.map((w) => `${r.name || r.id}: ${w}`));
  fill(
    box,
    h('h2', { id: 'rules-title' }, 'Rules'),
    rows.length ? table(null, ['Name', 'Priority', 'Enabled', 'Match', 'Answer', 'Hits', 'Actions'], rows) : h('p', { class: 'muted' }, 'No rules: the mock answers from the document.'),
    warnings.length ? h('div', { class: 'notice' }, h('p', {}, 'Contract warnings'), h('ul', {}, warnings.map((w) => h('li', {}, w)))) : null,
    h('button', { type: 'button', class: 'primary', onclick: () => openEditor(editor, endpoint, op, null, box) }, 'Add a rule'),
    editor,
  );
}

function isSimple(rule) {
  if (!rule) return true;
  if ((rule.then && rule.then.length) || rule.scenario) return false;
  if (!Object.keys(rule.response || {}).every((k) => SIMPLE_RESPONSE.has(k))) return false;
  if (typeof rule.response?.delay === 'object') return false;
  const match = rule.match || {};
  return Object.entries(match).every(
    ([k, v]) => (k === 'query' || k === 'headers') && Object.values(v).every((x) => typeof x === 'string'),
  );
}

const lines = (object, sep) => Object.entries(object || {}).map(([k, v]) => `${k}${sep}${v}`).join('\n');

function parseLines(text, sep) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf(sep);
    if (at <= 0) throw new Error(`"${line.trim()}" is not name${sep}value`);
    out[line.slice(0, at).trim()] = line.slice(at + sep.length).trim();
  }
  return out;
}

function openEditor(editor, endpoint, op, rule, box) {
  const simple = isSimple(rule);
  const response = rule?.response || {};
  const statuses = Object.keys(op?.responses || {}).filter((s) => /^\d{3}$/.test(s));
  const f = {
    name: field('Name', h('input', { name: 'rule-name', value: rule?.name || '' })),
    priority: field('Priority', h('input', { name: 'priority', type: 'number', step: 1, value: String(rule?.priority ?? 0) }), 'Higher wins; among equals, the newest.'),
    enabled: h('input', { type: 'checkbox', name: 'enabled', checked: rule ? rule.enabled : true, id: 'rule-enabled' }),
    query: field('Match query parameters', h('textarea', { name: 'match-query', rows: 2, class: 'code', placeholder: 'status=sold' }, lines(rule?.match?.query, '=')), 'One name=value a line: the request must carry each.'),
    headers: field('Match headers', h('textarea', { name: 'match-headers', rows: 2, class: 'code', placeholder: 'X-API-Key: test-1' }, lines(rule?.match?.headers, ': '))),
    status: field('Answer status', h('input', { name: 'status', type: 'number', value: String(response.status ?? statuses[0] ?? 200), list: 'statuses' })),
    json: field('Answer body (JSON)', h('textarea', { name: 'json', rows: 5, class: 'code', spellcheck: 'false' }, response.json === undefined ? '' : JSON.stringify(response.json, null, 2)), 'Empty: the document\'s example or generated data for that status.'),
    respHeaders: field('Answer headers', h('textarea', { name: 'response-headers', rows: 2, class: 'code' }, lines(response.headers, ': '))),
    delay: field('Delay (seconds)', h('input', { name: 'delay', type: 'number', min: 0, step: 'any', value: response.delay === undefined ? '' : String(response.delay) })),
    raw: field(
      'The whole rule (YAML or JSON, as in a rule file)',
      h('textarea', { name: 'rule-json', rows: 12, class: 'code', spellcheck: 'false' }, JSON.stringify(rule ? pick(rule) : { response: { status: 200, json: {} } }, null, 2)),
      'Any rule the rule files take: match operators, sequences (then), scenarios, templates, faults. JSON is YAML too.',
    ),
  };
  const datalist = h('datalist', { id: 'statuses' }, statuses.map((s) => h('option', { value: s })));
  const formPart = h(
    'fieldset',
    { class: 'rule-form' },
    h('legend', {}, 'Common case'),
    f.name.wrap,
    f.priority.wrap,
    h('div', { class: 'field check' }, f.enabled, h('label', { for: 'rule-enabled' }, 'Enabled')),
    f.query.wrap,
    f.headers.wrap,
    f.status.wrap,
    datalist,
    f.json.wrap,
    f.respHeaders.wrap,
    f.delay.wrap,
  );
  const jsonPart = h('fieldset', { class: 'rule-json' }, h('legend', {}, 'YAML / JSON editor'), f.raw.wrap);
  const modeForm = h('input', { type: 'radio', name: 'mode', value: 'form', id: 'mode-form', checked: simple });
  const modeJson = h('input', { type: 'radio', name: 'mode', value: 'json', id: 'mode-json', checked: !simple });
  const setMode = () => {
    formPart.hidden = modeJson.checked;
    jsonPart.hidden = modeForm.checked;
  };
  modeForm.addEventListener('change', setMode);
  modeJson.addEventListener('change', setMode);
  if (!simple) modeForm.disabled = true;
  const general = h('div');
  const form = h(
    'form',
    { class: 'card rule-editor', 'aria-label': rule ? 'Edit the rule' : 'New rule' },
    h('h3', {}, rule ? `Edit rule ${rule.name || rule.id}` : 'New rule'),
    h(
      'fieldset',
      { class: 'modes' },
      h('legend', {}, 'Edit with'),
      modeForm,
      h('label', { for: 'mode-form' }, 'the form'),
      modeJson,
      h('label', { for: 'mode-json' }, 'YAML or JSON'),
      simple ? null : h('p', { class: 'hint' }, 'This rule uses more than the form shows: edit it as YAML or JSON.'),
    ),
    formPart,
    jsonPart,
    general,
    h('button', { type: 'submit', class: 'primary' }, rule ? 'Save the rule' : 'Create the rule'),
    h('button', { type: 'button', onclick: () => fill(editor) }, 'Cancel'),
  );
  setMode();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const x of Object.values(f)) if (x.error) fieldError(x, '');
    fill(general);
    let body;
    try {
      // the editor's text goes as YAML (JSON is YAML too): the server parses and checks it
      body = modeJson.checked ? null : fromForm(f, rule);
    } catch (error) {
      const target = modeJson.checked ? f.raw : error.field ? f[error.field] : null;
      if (target) fieldError(target, error.message);
      else fill(general, errorBox(error));
      return;
    }
    const sent = body === null ? { body: f.raw.input.value, contentType: 'application/yaml' } : { json: body };
    try {
      if (rule) await api.request('PATCH', `/api/endpoints/${encodeURIComponent(endpoint.id)}/rules/${encodeURIComponent(rule.id)}`, sent);
      else await api.request('POST', `/api/endpoints/${encodeURIComponent(endpoint.id)}/rules`, sent);
      toast(rule ? 'Rule saved' : 'Rule created');
      await renderRules(box, endpoint, op);
    } catch (error) {
      showProblems(error, f, modeJson.checked, general);
    }
  });
  fill(editor, form);
  (simple ? f.name.input : f.raw.input).focus();
}

function pick(rule) {
  const out = {};
  for (const key of ['name', 'priority', 'enabled', 'match', 'scenario', 'state', 'next_state', 'response', 'then']) {
    const value = rule[key];
    if (value === null || value === undefined) continue;
    if (key === 'then' && !value.length) continue;
    out[key] = value;
  }
  return out;
}

function fromForm(f, rule) {
  const fail = (name, message) => Object.assign(new Error(message), { field: name });
  const read = (name, sep) => {
    try {
      return parseLines(f[name].input.value, sep);
    } catch (error) {
      throw fail(name, error.message);
    }
  };
  const match = {};
  const query = read('query', '=');
  const headers = read('headers', ':');
  if (Object.keys(query).length) match.query = query;
  if (Object.keys(headers).length) match.headers = headers;
  const response = { status: Number(f.status.input.value) };
  const jsonText = f.json.input.value.trim();
  if (jsonText) {
    try {
      response.json = JSON.parse(jsonText);
    } catch (error) {
      throw fail('json', `Not JSON: ${error.message}`);
    }
  }
  const answerHeaders = read('respHeaders', ':');
  if (Object.keys(answerHeaders).length) response.headers = answerHeaders;
  if (f.delay.input.value !== '') response.delay = Number(f.delay.input.value);
  const body = {
    name: f.name.input.value,
    priority: Number(f.priority.input.value || 0),
    enabled: f.enabled.checked,
    response,
  };
  body.match = Object.keys(match).length ? match : rule ? null : undefined;
  if (body.match === undefined) delete body.match;
  return body;
}

const FIELD_OF = [
  ['response.status', 'status'],
  ['response.json', 'json'],
  ['response.body', 'json'],
  ['response.headers', 'respHeaders'],
  ['response.delay', 'delay'],
  ['match.query', 'query'],
  ['match.headers', 'headers'],
  ['name', 'name'],
  ['priority', 'priority'],
];

function showProblems(error, f, jsonMode, general) {
  const details = error.details || [];
  const unplaced = [];
  const byField = new Map();
  for (const detail of details) {
    const named = /Field "([^"]+)"/.exec(detail)?.[1];
    const hit = named && !jsonMode ? FIELD_OF.find(([prefix]) => named === prefix || named.startsWith(`${prefix}.`) || named.startsWith(`${prefix}[`)) : null;
    const key = hit ? hit[1] : jsonMode ? 'raw' : null;
    if (key) byField.set(key, [...(byField.get(key) || []), detail]);
    else unplaced.push(detail);
  }
  for (const [key, messages] of byField) fieldError(f[key], messages.join(' — '));
  if (unplaced.length || !byField.size) fill(general, errorBox({ ...error, apiMessage: error.apiMessage || problem(error), details: unplaced }));
  const first = [...byField.keys()][0];
  if (first) f[first].input.focus();
}
