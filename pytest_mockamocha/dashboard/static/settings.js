// Settings: API keys (create: shown once; list; revoke) and, for administrators, users.

import { all, api } from './api.js';
import { copy, errorBox, field, fill, h, problem, table, toast, when } from './dom.js';

export async function renderSettings(main, { user }) {
  const keys = h('section', { class: 'card', 'aria-labelledby': 'keys-title' });
  const users = h('section', { class: 'card', 'aria-labelledby': 'users-title' });
  fill(main, h('h1', {}, 'Settings'), keys, user.is_admin ? users : null);
  await Promise.all([drawKeys(keys), user.is_admin ? drawUsers(users) : null]);
}

async function drawKeys(box, shown = null) {
  const keys = await all(api.keys.iter());
  const name = field('Key name', h('input', { name: 'key-name', required: true, maxlength: 200 }));
  const status = h('div');
  const form = h('form', { class: 'inline' }, name.wrap, h('button', { type: 'submit', class: 'primary' }, 'Create API key'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const made = await api.keys.create(name.input.value);
      await drawKeys(box, made);
    } catch (error) {
      fill(status, errorBox(error));
    }
  });
  const rows = keys.map((k) =>
    h(
      'tr',
      { 'data-key': k.id },
      h('td', { 'data-label': 'Name' }, k.name),
      h('td', { 'data-label': 'Key' }, h('code', {}, `${k.prefix}…`)),
      h('td', { 'data-label': 'Created' }, when(k.created_at)),
      h('td', { 'data-label': 'Last used' }, when(k.last_used_at)),
      h(
        'td',
        { class: 'actions', 'data-label': 'Actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'aria-label': `Revoke the key ${k.name}`,
            onclick: async () => {
              if (!window.confirm(`Revoke the key "${k.name}"? Programs using it stop working.`)) return;
              try {
                await api.keys.delete(k.id);
                toast('Key revoked');
                await drawKeys(box);
              } catch (error) {
                toast(problem(error), 'bad');
              }
            },
          },
          'Revoke',
        ),
      ),
    ),
  );
  const once = shown
    ? h(
        'div',
        { class: 'new-key', role: 'status' },
        h('p', {}, h('strong', {}, 'Copy this key now: it is not shown again.')),
        h('code', { class: 'secret', 'data-new-key': '' }, shown.key),
        ' ',
        h('button', { type: 'button', onclick: () => copy(shown.key) }, 'Copy the key'),
      )
    : null;
  fill(
    box,
    h('h2', { id: 'keys-title' }, 'API keys'),
    h('p', { class: 'hint' }, 'Send a key as Authorization: Bearer <key> from the SDKs, the CLI or CI.'),
    once,
    form,
    rows.length ? table(null, ['Name', 'Key', 'Created', 'Last used', 'Actions'], rows) : h('p', { class: 'muted' }, 'No API keys.'),
  );
}

async function drawUsers(box) {
  const users = await all(walkUsers());
  const email = field('Email', h('input', { name: 'user-email', type: 'email', required: true }));
  const name = field('Name', h('input', { name: 'user-name', required: true }));
  const password = field('Password', h('input', { name: 'user-password', type: 'password', required: true, autocomplete: 'new-password', minlength: 8 }));
  const admin = h('input', { type: 'checkbox', name: 'user-admin', id: 'user-admin' });
  const status = h('div');
  const form = h(
    'form',
    {},
    email.wrap,
    name.wrap,
    password.wrap,
    h('div', { class: 'field check' }, admin, h('label', { for: 'user-admin' }, 'Administrator')),
    h('button', { type: 'submit', class: 'primary' }, 'Add user'),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.request('POST', '/api/users', {
        json: { email: email.input.value, name: name.input.value, password: password.input.value, is_admin: admin.checked },
      });
      toast('User added');
      await drawUsers(box);
    } catch (error) {
      fill(status, errorBox(error));
    }
  });
  const rows = users.map((u) =>
    h(
      'tr',
      {},
      h('td', { 'data-label': 'Name' }, u.name),
      h('td', { 'data-label': 'Email' }, u.email),
      h('td', { 'data-label': 'Admin' }, u.is_admin ? 'yes' : 'no'),
      h('td', { 'data-label': 'Created' }, when(u.created_at)),
    ),
  );
  fill(box, h('h2', { id: 'users-title' }, 'Users'), table(null, ['Name', 'Email', 'Admin', 'Created'], rows), h('h3', {}, 'Add a user'), form);
}

async function* walkUsers() {
  for (let page = 1; ; page += 1) {
    const listing = await api.request('GET', '/api/users', { query: { page, per_page: 100 } });
    yield* listing.users;
    if (!listing.users.length || page * listing.per_page >= listing.total) return;
  }
}
