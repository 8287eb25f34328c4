// The dashboard's one client of the management API: the JavaScript SDK the server serves,
// on a fetch that sends the session cookie (same origin) and the CSRF token with every
// state-changing call. The page never holds a token: the cookie is HttpOnly.

import { Client } from '/sdk/mockamocha.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
let csrf = null;
const listeners = new Set();

function sessionFetch(url, init = {}) {
  const headers = new Headers(init.headers || {});
  const method = String(init.method || 'GET').toUpperCase();
  if (csrf && !SAFE.has(method)) headers.set('X-CSRF-Token', csrf);
  return fetch(url, { ...init, headers, credentials: 'same-origin' }).then((response) => {
    if (response.status === 401 && !String(url).includes('/api/auth/session')) {
      for (const listener of listeners) listener();
    }
    return response;
  });
}

export const api = new Client({ baseUrl: location.origin, fetch: sessionFetch, timeout: 30_000 });

/** Call `listener` when the API says the session is gone (expired, signed out elsewhere). */
export const onSignedOut = (listener) => listeners.add(listener);

/** The signed-in user, or null when there is no session. */
export async function currentUser() {
  try {
    const session = await api.request('GET', '/api/auth/session');
    csrf = session.csrf_token;
    return session.user;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

export async function signIn(email, password) {
  const session = await api.request('POST', '/api/auth/session', { json: { email, password } });
  csrf = session.csrf_token;
  return session.user;
}

export async function signOut() {
  try {
    await api.request('DELETE', '/api/auth/session');
  } finally {
    csrf = null;
  }
}

/** Every item of a listing, page by page (100 a page). */
export async function all(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}
