// @mockamocha/sdk: the client of the MockaMocha management API, on fetch (Node.js 18+, browsers).

import { ApiError, Timeout, TransportError, ValidationError, apiError } from './errors.js';

export {
  ApiError,
  Conflict,
  Forbidden,
  InternalError,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  HeadersTooLarge,
  RateLimited,
  SdkError,
  Timeout,
  TransportError,
  Unauthorized,
  UnsupportedMediaType,
  ValidationError,
} from './errors.js';

const ITER_PAGE = 100;
/** a page's fetch hides why it failed; Node.js says (ECONNREFUSED...) */
const IN_BROWSER = typeof window !== 'undefined' && typeof document !== 'undefined';
/** how often a client asks whether a background import has ended */
const IMPORT_POLL_MS = 200;
const YAML_TYPES = /\.(ya?ml)$/i;

const seg = (value) => encodeURIComponent(String(value));

/** The fields given: `undefined` is left out, and `null` too unless `keepNull`. */
function given(fields, keepNull = false) {
  const out = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value !== undefined && (keepNull || value !== null)) out[key] = value;
  }
  return out;
}

/** The fields of a rule the API takes (others, such as `id` or `hits`, are not sent). */
const RULE_KEYS = [
  'name', 'priority', 'enabled', 'match', 'scenario', 'state', 'next_state', 'response', 'then',
];

function ruleFields(fields, keepNull) {
  const picked = {};
  for (const key of RULE_KEYS) picked[key] = fields?.[key];
  return given(picked, keepNull);
}

/** Every item of every page, asking for page 1, 2, ... until the last. */
async function* walk(fetchPage, key) {
  for (let page = 1; ; page += 1) {
    const listing = await fetchPage(page);
    yield* listing[key];
    if (!listing[key].length || listing.page * listing.per_page >= listing.total) return;
  }
}

class Resource {
  constructor(client) {
    this._client = client;
  }
}

class Keys extends Resource {
  create(name) {
    return this._client.request('POST', '/api/keys', { json: { name } });
  }
  list({ page, per_page } = {}) {
    return this._client.request('GET', '/api/keys', { query: { page, per_page } });
  }
  iter({ per_page = ITER_PAGE } = {}) {
    return walk((page) => this.list({ page, per_page }), 'keys');
  }
  delete(keyId) {
    return this._client.request('DELETE', `/api/keys/${seg(keyId)}`);
  }
}

class Collections extends Resource {
  list({ page, per_page } = {}) {
    return this._client.request('GET', '/api/collections', { query: { page, per_page } });
  }
  iter({ per_page = ITER_PAGE } = {}) {
    return walk((page) => this.list({ page, per_page }), 'collections');
  }
  get(collectionId) {
    return this._client.request('GET', `/api/collections/${seg(collectionId)}`);
  }
  create(name, { description, slug } = {}) {
    const json = given({ name, description, slug });
    return this._client.request('POST', '/api/collections', { json });
  }
  /** `stateful` answers CRUD paths from a seeded store; `delay` (seconds or `[min, max]`)
   * delays every answer, `null` removes it; `cors: false` leaves CORS to the document. */
  update(collectionId, { name, description, stateful, delay, cors } = {}) {
    const json = { ...given({ name, description, stateful, cors }), ...given({ delay }, true) };
    return this._client.request('PATCH', `/api/collections/${seg(collectionId)}`, { json });
  }
  /** `{scenarios: [{name, state}]}`: the scenarios the collection's rules name. */
  scenarios(collectionId) {
    return this._client.request('GET', `/api/collections/${seg(collectionId)}/scenarios`);
  }
  /** Move the scenario `name` to `state`; answers every scenario. */
  setScenario(collectionId, name, state) {
    const path = `/api/collections/${seg(collectionId)}/scenarios/${seg(name)}`;
    return this._client.request('PUT', path, { json: { state } });
  }
  /** Scenarios back to `started`, rule sequences to their first step, the stateful store
   * to its seed data; answers every scenario. */
  reset(collectionId) {
    return this._client.request('POST', `/api/collections/${seg(collectionId)}/reset`);
  }
  delete(collectionId) {
    return this._client.request('DELETE', `/api/collections/${seg(collectionId)}`);
  }
  /**
   * Import an OpenAPI document: an object or YAML/JSON text (sent as `{"spec": ...}`), or a
   * Blob / File / ArrayBuffer / Uint8Array sent raw (YAML unless `contentType` or a `.json`
   * file name says JSON).
   *
   * A large document is imported in the background (`status: 'processing'`), and any with
   * `background: true`; `wait` (the default) asks until it ends, at most `waitTimeout` ms,
   * and throws ValidationError if it failed. `wait: false` resolves at once.
   */
  async importSpec(
    collectionId,
    document,
    { contentType, wait = true, waitTimeout = 600_000, background = false } = {},
  ) {
    const path = `/api/collections/${seg(collectionId)}/import`;
    const headers = background ? { Prefer: 'respond-async' } : {};
    let found;
    if (typeof document === 'string' || isPlainObject(document)) {
      found = await this._client.request('POST', path, { json: { spec: document }, headers });
    } else {
      const name = typeof document?.name === 'string' ? document.name : '';
      const type =
        contentType ||
        (name && !YAML_TYPES.test(name) && name.toLowerCase().endsWith('.json')
          ? 'application/json'
          : 'application/yaml');
      found = await this._client.request('POST', path, { body: document, contentType: type, headers });
    }
    if (!wait) return found;
    const deadline = Date.now() + waitTimeout;
    while (found.status === 'processing') {
      if (Date.now() > deadline) {
        throw new Timeout(`import ${found.import_id} is still processing after ${waitTimeout} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, IMPORT_POLL_MS));
      found = await this._client.imports.get(found.import_id);
    }
    if (found.status === 'failed') {
      throw new ValidationError({
        status: 422,
        code: 'VALIDATION_ERROR',
        message: found.message,
        details: found.errors || [],
      });
    }
    return found;
  }
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

class Imports extends Resource {
  get(importId) {
    return this._client.request('GET', `/api/imports/${seg(importId)}`);
  }
}

class Endpoints extends Resource {
  list({ collection_id, method, path, q, sort, page, per_page } = {}) {
    const query = { collection_id, method, path, q, sort, page, per_page };
    return this._client.request('GET', '/api/endpoints', { query });
  }
  iter({ per_page = ITER_PAGE, ...filters } = {}) {
    return walk((page) => this.list({ ...filters, page, per_page }), 'endpoints');
  }
  get(endpointId) {
    return this._client.request('GET', `/api/endpoints/${seg(endpointId)}`);
  }
  update(endpointId, { name, description } = {}) {
    const json = given({ name, description });
    return this._client.request('PATCH', `/api/endpoints/${seg(endpointId)}`, { json });
  }
  delete(endpointId) {
    return this._client.request('DELETE', `/api/endpoints/${seg(endpointId)}`);
  }
}

const rulesPath = (endpointId) => `/api/endpoints/${seg(endpointId)}/rules`;

class Rules extends Resource {
  list(endpointId, { page, per_page } = {}) {
    return this._client.request('GET', rulesPath(endpointId), { query: { page, per_page } });
  }
  iter(endpointId, { per_page = ITER_PAGE } = {}) {
    return walk((page) => this.list(endpointId, { page, per_page }), 'rules');
  }
  /** `response`, then each step of `then`; with `scenario` it fires only in `state`. */
  create(endpointId, fields) {
    const json = ruleFields(fields, false);
    return this._client.request('POST', rulesPath(endpointId), { json });
  }
  get(endpointId, ruleId) {
    return this._client.request('GET', `${rulesPath(endpointId)}/${seg(ruleId)}`);
  }
  /** Change the given fields; the others stay, and a field given as `null` is removed. */
  update(endpointId, ruleId, fields = {}) {
    const json = ruleFields(fields, true);
    return this._client.request('PATCH', `${rulesPath(endpointId)}/${seg(ruleId)}`, { json });
  }
  delete(endpointId, ruleId) {
    return this._client.request('DELETE', `${rulesPath(endpointId)}/${seg(ruleId)}`);
  }
}

class Generations extends Resource {
  get(generationId) {
    return this._client.request('GET', `/api/generations/${seg(generationId)}`);
  }
}

class Requests extends Resource {
  /** The latest requests the mocks answered, newest first (the journal is bounded). */
  list({ collection_id, operation, status, test, page, per_page } = {}) {
    const query = { collection_id, operation, status, test, page, per_page };
    return this._client.request('GET', '/api/requests', { query });
  }
  iter({ per_page = ITER_PAGE, ...filters } = {}) {
    return walk((page) => this.list({ ...filters, page, per_page }), 'requests');
  }
}

class Analytics extends Resource {
  requests({ time_period = '30d', collection_id } = {}) {
    const query = { time_period, collection_id };
    return this._client.request('GET', '/api/analytics/requests', { query });
  }
}

/**
 * A client of one MockaMocha server's management API.
 *
 * `token` is a JWT (see `login`) or an API key (`apiKey` is the same thing under its own
 * name). Every request is bounded by `timeout` milliseconds. Failures throw an `ApiError`
 * subclass or a `TransportError`.
 */
export class Client {
  constructor({ baseUrl, token = null, apiKey = null, timeout = 10_000, fetch: fetchImpl } = {}) {
    if (!baseUrl) throw new TypeError('baseUrl is required');
    this.baseUrl = String(baseUrl).replace(/\/+$/, '');
    this.token = token || apiKey || null;
    this.timeout = timeout;
    this._fetch = fetchImpl || globalThis.fetch.bind(globalThis);
    this.keys = new Keys(this);
    this.collections = new Collections(this);
    this.imports = new Imports(this);
    this.endpoints = new Endpoints(this);
    this.rules = new Rules(this);
    this.generations = new Generations(this);
    this.analytics = new Analytics(this);
    this.requests = new Requests(this);
  }

  /** Log in; the client uses the new token for every later request. */
  async login(email, password) {
    const token = await this.request('POST', '/api/auth/login', { json: { email, password } });
    this.token = token.access_token;
    return token;
  }

  me() {
    return this.request('GET', '/api/auth/me');
  }

  /** `GET /api/health` (no auth, no envelope). */
  health() {
    return this.request('GET', '/api/health', { raw: true });
  }

  /** Request coverage of the workspace's collections, or of `collectionId` only; over one
   * `timePeriod` ('24h', '7d', '30d', '90d') of the requests the server keeps, if given. */
  coverage(collectionId, { timePeriod } = {}) {
    const query = { collection_id: collectionId, time_period: timePeriod };
    return this.request('GET', '/api/analytics/coverage', { query });
  }

  generateData(endpointId, { count, custom_fields, seed, status_code, locale } = {}) {
    const json = given({ count, custom_fields, seed, status_code, locale });
    return this.request('POST', `/api/endpoints/${seg(endpointId)}/generate-data`, { json });
  }

  /** Send one request; answers the `data` of the envelope (`undefined` for 204). */
  async request(method, path, { query, json, body, contentType, raw = false, headers: extra } = {}) {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(given(query))) url.searchParams.set(key, String(value));
    const headers = { Accept: 'application/json', ...extra };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (json !== undefined) {
      body = JSON.stringify(json);
      contentType = 'application/json';
    }
    if (contentType) headers['Content-Type'] = contentType;
    const response = await this._send(url, { method, headers, body });
    return read(response, raw);
  }

  async _send(url, init) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeout);
    try {
      const response = await this._fetch(url, { ...init, signal: controller.signal });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      if (controller.signal.aborted) {
        throw new Timeout(`no answer from ${this.baseUrl} within ${this.timeout} ms`);
      }
      if (IN_BROWSER && error instanceof TypeError) {
        // browsers say only "Failed to fetch", for a network error and a CORS refusal alike
        throw new TransportError(
          `cannot reach ${this.baseUrl}: a network error, or the browser refused the answer ` +
            '(CORS); the browser console says which',
        );
      }
      const reason = error?.cause?.code || error?.cause?.message || error?.message || error;
      throw new TransportError(`cannot reach ${this.baseUrl}: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function parse(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return undefined;
  }
}

function read({ status, headers, text }, raw) {
  const body = parse(text);
  if (status >= 400) throw apiError(status, body ?? null, headers);
  if (status === 204) return undefined;
  if (raw && body !== undefined) return body;
  if (!body || typeof body !== 'object' || !('data' in body)) {
    throw new ApiError({
      status,
      code: 'UNEXPECTED_ANSWER',
      message: 'the answer has no data envelope',
      requestId: headers.get('x-request-id'),
    });
  }
  return body.data;
}

export default Client;
