// The dashboard's entry module: the session, the hash router and the page frame.
// Pages are plain modules exporting `render(main, context)`, which may return a function
// that stops what the page started (the live log's polling).

import { currentUser, onSignedOut, signOut } from './api.js';
import { errorBox, fill, h } from './dom.js';
import { renderAnalytics } from './analytics.js';
import { renderCollection } from './collection.js';
import { renderCollections } from './collections.js';
import { renderEndpoint } from './endpoint.js';
import { renderRequests } from './requests.js';
import { renderSettings } from './settings.js';
import { renderSignIn } from './signin.js';

const ROUTES = [
  [/^collections$/, renderCollections, 'collections'],
  [/^collections\/([\w-]+)$/, renderCollection, 'collections'],
  [/^endpoints\/([\w-]+)$/, renderEndpoint, 'collections'],
  [/^requests$/, renderRequests, 'requests'],
  [/^analytics$/, renderAnalytics, 'analytics'],
  [/^settings$/, renderSettings, 'settings'],
];

const main = document.getElementById('main');
const top = document.getElementById('top');
let user = null;
let stop = null;

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  for (const [pattern, render, nav] of ROUTES) {
    const found = pattern.exec(hash);
    if (found) return { render, nav, params: found.slice(1) };
  }
  return null;
}

async function show({ focus = true } = {}) {
  if (stop) stop();
  stop = null;
  if (!user) return showSignIn();
  const found = route();
  if (!found) {
    location.replace('#/collections');
    return undefined;
  }
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === found.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  fill(main, h('p', { class: 'loading' }, 'Loading…'));
  try {
    stop = (await found.render(main, { params: found.params, user })) || null;
  } catch (error) {
    if (error.status === 401) return undefined; // onSignedOut shows the sign-in page
    fill(main, h('h1', {}, 'Something went wrong'), errorBox(error));
  }
  if (focus) main.focus({ preventScroll: true });
  return undefined;
}

function showSignIn(notice) {
  top.hidden = true;
  renderSignIn(main, {
    notice,
    onDone: (signedIn) => {
      user = signedIn;
      signedInFrame();
      show();
    },
  });
}

function signedInFrame() {
  top.hidden = false;
  const who = document.getElementById('who');
  who.textContent = `${user.name || user.email}${user.is_admin ? ' (admin)' : ''}`;
}

document.getElementById('signout').addEventListener('click', async () => {
  await signOut().catch(() => undefined);
  user = null;
  if (stop) stop();
  stop = null;
  showSignIn('You are signed out.');
});

document.getElementById('skip').addEventListener('click', () => main.focus());

onSignedOut(() => {
  if (!user) return;
  user = null;
  if (stop) stop();
  stop = null;
  showSignIn('Your session has ended: sign in again.');
});

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/')) show();
});

async function start() {
  try {
    user = await currentUser();
  } catch (error) {
    fill(main, h('h1', {}, 'The server cannot be reached'), errorBox(error));
    return;
  }
  if (user) signedInFrame();
  await show({ focus: false });
  // for the benchmark: when the first page was drawn, and when the main thread then idled
  const root = document.documentElement;
  root.dataset.readyMs = String(Math.round(performance.now()));
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 0));
  idle(() => {
    root.dataset.interactiveMs = String(Math.round(performance.now()));
  });
  root.dataset.ready = 'true';
}

start();
