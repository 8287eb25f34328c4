// Collections: list with endpoint and request counts, create, rename, delete, import a
// document (upload or paste) with the import's result and warnings, copy a mock URL.

import { all, api } from './api.js';
import { copy, errorBox, field, fill, h, problem, table, toast } from './dom.js';

export async function renderCollections(main) {
  const list = h('section', { 'aria-labelledby': 'list-title' });
  const importBox = h('section', { class: 'card', 'aria-labelledby': 'import-title' });
  const createBox = h('section', { class: 'card', 'aria-labelledby': 'create-title' });
  fill(
    main,
    h('h1', {}, 'Collections'),
    h('div', { class: 'columns' }, createBox, importBox),
    list,
  );
  const reload = async (shown = null, chosen = null) => {
    const collections = await all(api.collections.iter());
    drawList(list, collections, reload);
    drawImport(importBox, collections, reload, shown, chosen);
  };
  drawCreate(createBox, reload);
  await reload();
}

function drawCreate(box, reload) {
  const name = field('Name', h('input', { name: 'name', required: true, maxlength: 200 }));
  const description = field('Description', h('input', { name: 'description', maxlength: 2000 }));
  const status = h('div');
  const form = h(
    'form',
    {},
    name.wrap,
    description.wrap,
    status,
    h('button', { type: 'submit', class: 'primary' }, 'Create collection'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(status);
    try {
      const made = await api.collections.create(name.input.value, {
        description: description.input.value || undefined,
      });
      form.reset();
      toast(`Created ${made.name}: import a document into it below`);
      await reload(null, made.id);
    } catch (error) {
      fill(status, errorBox(error));
    }
  });
  fill(box, h('h2', { id: 'create-title' }, 'New collection'), form);
}

function drawImport(box, collections, reload, shown, chosen) {
  const target = field(
    'Into collection',
    h(
      'select',
      { name: 'collection' },
      collections.map((c) => h('option', { value: c.id, selected: c.id === chosen }, `${c.name} (${c.slug})`)),
    ),
  );
  const file = field(
    'OpenAPI or Swagger file',
    h('input', { type: 'file', name: 'file', accept: '.json,.yaml,.yml,application/json,application/yaml' }),
  );
  const paste = field(
    'Or paste the document',
    h('textarea', { name: 'document', rows: 5, spellcheck: 'false', class: 'code' }),
    'YAML or JSON; a file, when chosen, wins.',
  );
  const result = h('div', { 'aria-live': 'polite' }, shown);
  const submit = h('button', { type: 'submit', class: 'primary', disabled: !collections.length }, 'Import');
  const form = h('form', {}, target.wrap, file.wrap, paste.wrap, submit, result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(result, h('p', {}, 'Importing…'));
    const upload = file.input.files[0];
    const text = paste.input.value;
    if (!upload && !text.trim()) {
      fill(result, errorBox({ apiMessage: 'Choose a file or paste a document to import.' }));
      return;
    }
    submit.disabled = true;
    try {
      const into = target.input.value;
      const done = await api.collections.importSpec(into, upload || text);
      await reload(importResult(done), into);
    } catch (error) {
      fill(result, h('div', { class: 'error-box', role: 'alert' }, h('p', {}, 'The import failed'), errorBox(error)));
    } finally {
      submit.disabled = false;
    }
  });
  fill(
    box,
    h('h2', { id: 'import-title' }, 'Import a document'),
    collections.length ? form : h('p', {}, 'Create a collection first, then import into it.'),
  );
  if (!collections.length) box.append(result);
}

function importResult(done) {
  const warnings = done.warnings || [];
  return h(
    'div',
    { class: 'import-result', role: 'status' },
    h('p', {}, done.message),
    h(
      'ul',
      {},
      h('li', {}, `${done.endpoints_created} endpoints created`),
      h('li', {}, `${done.endpoints_updated} updated`),
      h('li', {}, `${done.endpoints_removed} removed`),
    ),
    warnings.length
      ? h(
          'details',
          { open: true, class: 'warnings' },
          h('summary', {}, `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`),
          h('ul', {}, warnings.map((w) => h('li', {}, w))),
        )
      : h('p', {}, 'No warnings.'),
  );
}

function drawList(section, collections, reload) {
  if (!collections.length) {
    fill(section, h('h2', { id: 'list-title' }, 'Your collections'), h('p', {}, 'No collections yet.'));
    return;
  }
  const rows = collections.map((c) => collectionRow(c, reload));
  fill(
    section,
    h('h2', { id: 'list-title' }, `Your collections (${collections.length})`),
    table(null, ['Name', 'Endpoints', 'Requests', 'Mock URL', 'Actions'], rows, { className: 'grid collections' }),
  );
}

function collectionRow(c, reload) {
  const nameCell = h(
    'td',
    { 'data-label': 'Name' },
    h('a', { href: `#/collections/${encodeURIComponent(c.id)}` }, c.name),
    c.description ? h('p', { class: 'muted' }, c.description) : null,
  );
  const actions = h('td', { class: 'actions', 'data-label': 'Actions' });
  const rename = h('button', { type: 'button' }, 'Rename');
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
  rename.setAttribute('aria-label', `Rename ${c.name}`);
  remove.setAttribute('aria-label', `Delete ${c.name}`);
  rename.addEventListener('click', () => renameForm(nameCell, c, reload));
  remove.addEventListener('click', async () => {
    if (!window.confirm(`Delete the collection "${c.name}" with its ${c.endpoints_count} endpoints and their rules?`)) {
      return;
    }
    try {
      await api.collections.delete(c.id);
      toast(`Deleted ${c.name}`);
      await reload();
    } catch (error) {
      toast(problem(error), 'bad');
    }
  });
  actions.append(rename, remove);
  const copyButton = h('button', { type: 'button', class: 'small' }, 'Copy');
  copyButton.setAttribute('aria-label', `Copy the mock URL of ${c.name}`);
  copyButton.addEventListener('click', () => copy(c.mock_url));
  return h(
    'tr',
    { 'data-collection': c.id },
    nameCell,
    h('td', { class: 'num', 'data-label': 'Endpoints' }, String(c.endpoints_count)),
    h('td', { class: 'num', 'data-label': 'Requests' }, String(c.requests_count ?? 0)),
    h('td', { 'data-label': 'Mock URL' }, h('code', { class: 'url' }, c.mock_url), ' ', copyButton),
    actions,
  );
}

function renameForm(cell, c, reload) {
  const name = field('New name', h('input', { name: 'name', value: c.name, required: true }));
  const form = h(
    'form',
    { class: 'inline' },
    name.wrap,
    h('button', { type: 'submit', class: 'primary' }, 'Save'),
    h('button', { type: 'button', onclick: () => reload() }, 'Cancel'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.collections.update(c.id, { name: name.input.value });
      toast('Renamed');
      await reload();
    } catch (error) {
      fill(name.error, problem(error));
      name.error.hidden = false;
    }
  });
  fill(cell, form);
  name.input.focus();
  name.input.select();
}
