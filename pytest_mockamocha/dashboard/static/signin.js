// The sign-in page: email and password, the API's answer shown at the form.

import { signIn } from './api.js';
import { errorBox, field, fill, h } from './dom.js';

export function renderSignIn(main, { notice, onDone }) {
  const email = field('Email', h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true }));
  const password = field(
    'Password',
    h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }),
  );
  const status = h('div', { class: 'form-status' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to MockaMocha'),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    email.wrap,
    password.wrap,
    status,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    fill(status);
    try {
      const user = await signIn(email.input.value, password.input.value);
      onDone(user);
    } catch (error) {
      fill(status, errorBox(error));
      password.input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  fill(main, form);
  email.input.focus();
}
