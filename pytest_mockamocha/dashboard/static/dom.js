// Building the page from data: every value becomes a text node or an attribute set one by
// one, never markup. Nothing here (nor anywhere in the dashboard) assigns innerHTML.

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'multiple', 'indeterminate']);

/** `h('a', {href: '#/x', onclick: f}, 'text', child)`: an element; strings become text. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Add children: nodes as they are, anything else as text; null, undefined and false skipped. */
export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace everything inside `el` with `children`. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let uid = 0;
/** A fresh id for label/field and aria pairs. */
export const newId = (prefix = 'f') => `${prefix}-${(uid += 1)}`;

/** A labelled field: `{label, input, hint, error}`; the error slot is announced. */
export function field(label, input, hint) {
  const id = input.id || newId();
  input.id = id;
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  const described = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', described);
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    error,
  );
  return { wrap, input, error };
}

/** Show `message` under a field (empty: clear it). */
export function fieldError(f, message) {
  f.error.hidden = !message;
  f.error.textContent = message || '';
  if (message) f.input.setAttribute('aria-invalid', 'true');
  else f.input.removeAttribute('aria-invalid');
}

/** A time as the reader's local date and time (the API's are ISO 8601 UTC). */
export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** A short, polite announcement at the bottom of the page. */
export function toast(text, kind = 'ok') {
  const box = document.getElementById('toast');
  box.className = `toast ${kind}`;
  box.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    box.textContent = '';
    box.className = 'toast';
  }, 5000);
}

/** An error's words for people: the API's message and details, or the transport's. */
export function problem(error) {
  if (error && error.apiMessage) {
    return [error.apiMessage, ...(error.details || [])].join(' — ');
  }
  return String(error?.message || error);
}

/** A box listing an error (role=alert, so screen readers read it at once). */
export function errorBox(error) {
  const details = error?.details || [];
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('p', {}, error?.apiMessage || String(error?.message || error)),
    details.length ? h('ul', {}, details.map((d) => h('li', {}, d))) : null,
  );
}

/** A table from column headings and rows of cells (nodes or text). */
export function table(caption, headings, rows, { className = 'grid' } = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: className },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headings.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows),
    ),
  );
}

/** Copy `text` to the clipboard; say whether it worked. */
export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied to the clipboard');
  } catch {
    toast('The browser refused the clipboard: select the text and copy it', 'bad');
  }
}

/** Offer `text` as a file download named `name`. */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
