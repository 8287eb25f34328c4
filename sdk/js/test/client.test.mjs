// Every call of the JavaScript client against a real `mockamocha serve`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:net';

import {
  ApiError,
  Client,
  Conflict,
  InternalError,
  NotFound,
  RateLimited,
  SdkError,
  Timeout,
  TransportError,
  Unauthorized,
  ValidationError,
} from '../src/index.js';
import { ADMIN, PETS, startServer } from './_server.mjs';

let server;
let client;

before(async () => {
  server = await startServer();
  client = new Client({ baseUrl: server.url, timeout: 10_000 });
  await client.login(ADMIN.email, ADMIN.password);
});

after(async () => {
  await server?.stop();
});

const collect = async (items) => {
  const out = [];
  for await (const item of items) out.push(item);
  return out;
};
const unique = (prefix) => `${prefix} ${Math.random().toString(36).slice(2, 10)}`;

async function withPets(run) {
  const coll = await client.collections.create(unique('Pets'), { description: 'js' });
  try {
    await client.collections.importSpec(coll.id, PETS);
    await run(await client.collections.get(coll.id));
  } finally {
    await client.collections.delete(coll.id).catch(() => {});
  }
}

async function byOperation(collectionId, operationId) {
  const all = await collect(client.endpoints.iter({ collection_id: collectionId }));
  return all.find((e) => e.operation_id === operationId);
}

describe('auth and keys', { timeout: 30_000 }, () => {
  test('login stores the token; me answers', async () => {
    const mm = new Client({ baseUrl: `${server.url}/` });
    assert.equal(mm.token, null);
    const token = await mm.login(ADMIN.email.toUpperCase(), ADMIN.password);
    assert.equal(token.token_type, 'bearer');
    assert.equal(token.expires_in, 3600);
    assert.equal(token.user.email, ADMIN.email);
    assert.equal(mm.token, token.access_token);
    const me = await mm.me();
    assert.equal(me.is_admin, true);
    assert.equal(me.id, token.user.id);
  });

  test('health needs no token', async () => {
    const health = await new Client({ baseUrl: server.url }).health();
    assert.equal(health.status, 'ok');
  });

  test('keys: create, list, iter, use, delete', async () => {
    const made = await client.keys.create('js');
    assert.match(made.key, /^mm_/);
    const listed = await client.keys.list({ per_page: 100 });
    assert.ok(listed.keys.some((k) => k.id === made.id));
    assert.ok((await collect(client.keys.iter({ per_page: 1 }))).some((k) => k.id === made.id));
    const byKey = new Client({ baseUrl: server.url, apiKey: made.key });
    assert.equal((await byKey.me()).email, ADMIN.email);
    assert.equal(await client.keys.delete(made.id), undefined);
    await assert.rejects(byKey.me(), Unauthorized);
  });
});

describe('collections, imports, endpoints', { timeout: 30_000 }, () => {
  test('collections: list shape, pages, get, update, delete', async () => {
    const made = [];
    for (let i = 0; i < 3; i += 1) made.push(await client.collections.create(unique('Coll')));
    try {
      const first = await client.collections.list({ page: 1, per_page: 2 });
      assert.deepEqual(Object.keys(first).sort(), ['collections', 'page', 'per_page', 'total']);
      assert.equal(first.collections.length, 2);
      assert.ok(first.total >= 3);
      const all = await collect(client.collections.iter({ per_page: 2 }));
      assert.equal(all.length, first.total);
      assert.deepEqual(await client.collections.get(made[0].id), made[0]);
      const changed = await client.collections.update(made[0].id, { description: 'v2' });
      assert.equal(changed.description, 'v2');
    } finally {
      for (const coll of made) await client.collections.delete(coll.id);
    }
    await assert.rejects(client.collections.get(made[0].id), NotFound);
  });

  test('importSpec: object, YAML text, raw JSON bytes; imports.get', async () => {
    const coll = await client.collections.create(unique('Import'), { slug: unique('s').replace(' ', '-') });
    try {
      const done = await client.collections.importSpec(coll.id, PETS);
      assert.equal(done.status, 'completed');
      assert.equal(done.endpoints_created, 2);
      assert.deepEqual(await client.imports.get(done.import_id), done);
      const yaml = 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n  /ping:\n    get:\n      responses:\n        "204": {description: pong}\n';
      const again = await client.collections.importSpec(coll.id, yaml);
      assert.equal(again.endpoints_created, 1);
      assert.equal(again.endpoints_removed, 2);
      const bytes = new TextEncoder().encode(JSON.stringify(PETS));
      const raw = await client.collections.importSpec(coll.id, bytes, { contentType: 'application/json' });
      assert.equal(raw.endpoints_created, 2);
    } finally {
      await client.collections.delete(coll.id);
    }
  });

  test('importSpec in the background: waited for, or not, and a failure throws', async () => {
    const coll = await client.collections.create(unique('Background'));
    try {
      const done = await client.collections.importSpec(coll.id, PETS, { background: true });
      assert.equal(done.status, 'completed');
      assert.equal(done.stage, 'completed');
      assert.equal(done.endpoints_created, 2);
      const started = await client.collections.importSpec(coll.id, PETS, { background: true, wait: false });
      assert.equal(started.status, 'processing');
      assert.equal(started.finished_at, null);
      const broken = { openapi: '3.0.3', info: { title: 'T', version: '1' } };
      const error = await client.collections.importSpec(coll.id, broken, { background: true }).catch((e) => e);
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /Import failed/);
      assert.equal((await client.collections.get(coll.id)).endpoints_count, 2);
    } finally {
      await client.collections.delete(coll.id);
    }
  });

  test('endpoints: filters, iter, get, update, delete', () =>
    withPets(async (coll) => {
      const page = await client.endpoints.list({ collection_id: coll.id, sort: '-path' });
      assert.equal(page.total, 2);
      assert.deepEqual(page.endpoints.map((e) => e.path), ['/pets/{petId}', '/pets']);
      const found = await client.endpoints.list({ collection_id: coll.id, q: 'Get a pet', method: 'GET' });
      assert.deepEqual(found.endpoints.map((e) => e.operation_id), ['getPet']);
      const walked = await collect(client.endpoints.iter({ collection_id: coll.id, per_page: 1 }));
      assert.equal(walked.length, 2);
      const pet = found.endpoints[0];
      assert.deepEqual(await client.endpoints.get(pet.id), pet);
      assert.equal((await client.endpoints.update(pet.id, { name: 'Pet' })).name, 'Pet');
      await client.endpoints.delete(pet.id);
      await assert.rejects(client.endpoints.get(pet.id), NotFound);
    }));
});

describe('rules, generated data, analytics', { timeout: 30_000 }, () => {
  test('rules are live in the mock', () =>
    withPets(async (coll) => {
      const pet = await byOperation(coll.id, 'getPet');
      const rule = await client.rules.create(pet.id, {
        match: { path: { petId: '7' } },
        response: { status: 200, json: { id: 7, name: 'Seven' } },
        priority: 2,
        name: 'seven',
      });
      assert.equal(rule.hits, 0);
      const answer = await fetch(`${coll.mock_url}/pets/7`);
      assert.deepEqual(await answer.json(), { id: 7, name: 'Seven' });
      assert.equal((await client.rules.get(pet.id, rule.id)).hits, 1);
      assert.deepEqual((await client.rules.list(pet.id)).rules.map((r) => r.id), [rule.id]);
      assert.equal((await collect(client.rules.iter(pet.id))).length, 1);
      assert.equal((await client.rules.update(pet.id, rule.id, { enabled: false })).enabled, false);
      await client.rules.delete(pet.id, rule.id);
      assert.equal((await client.rules.list(pet.id)).total, 0);
    }));

  test('generateData and generations.get', () =>
    withPets(async (coll) => {
      const list = await byOperation(coll.id, 'listPets');
      const made = await client.generateData(list.id, {
        count: 5,
        seed: 4,
        custom_fields: { tag: ['a', 'b'] },
      });
      assert.equal(made.records_generated, 5);
      assert.ok(made.records.every((r) => ['a', 'b'].includes(r.tag)));
      assert.deepEqual(await client.generations.get(made.generation_id), made);
      const again = await client.generateData(list.id, { count: 5, seed: 4, custom_fields: { tag: ['a', 'b'] } });
      assert.deepEqual(again.records, made.records);
      await assert.rejects(client.generateData(list.id, { count: 0 }), ValidationError);
    }));

  test('analytics.requests counts mock traffic', () =>
    withPets(async (coll) => {
      for (let i = 0; i < 2; i += 1) await (await fetch(`${coll.mock_url}/pets/1`)).text();
      const stats = await client.analytics.requests({ time_period: '7d', collection_id: coll.id });
      assert.equal(stats.time_period, '7d');
      assert.equal(stats.total_requests, 2);
      assert.equal(stats.top_endpoints[0].path, '/pets/{petId}');
      assert.equal((await client.analytics.requests()).time_period, '30d');
    }));
});

describe('journal and coverage', { timeout: 30_000 }, () => {
  test('requests.list, requests.iter and coverage', () =>
    withPets(async (coll) => {
      for (const id of [1, 2]) await (await fetch(`${coll.mock_url}/pets/${id}`)).text();
      const page = await client.requests.list({ collection_id: coll.id, per_page: 1 });
      assert.equal(page.total, 2);
      assert.equal(page.requests[0].path, '/pets/2');
      const walked = await collect(client.requests.iter({ collection_id: coll.id, per_page: 1 }));
      assert.deepEqual(walked.map((r) => r.path), ['/pets/2', '/pets/1']);
      const filtered = await client.requests.list({ collection_id: coll.id, operation: 'GET /pets', status: 200 });
      assert.equal(filtered.total, 0);
      const report = await client.coverage(coll.id);
      assert.equal(report.schema, 'mockamocha-report');
      assert.equal(report.collections[0].requests, 2);
      assert.equal(report.collections[0].operations.hit, 1);
      const today = await client.coverage(coll.id, { timePeriod: '24h' });
      assert.equal(today.collections[0].requests, 2);  // both were made just now
      await assert.rejects(client.coverage(coll.id, { timePeriod: '1y' }), ValidationError);
      await assert.rejects(client.coverage('coll_missing'), NotFound);
    }));
});

describe('errors', { timeout: 30_000 }, () => {
  test('404 carries code, status and request id', async () => {
    const error = await client.collections.get('coll_missing').catch((e) => e);
    assert.ok(error instanceof NotFound);
    assert.ok(error instanceof ApiError);
    assert.ok(error instanceof SdkError);
    assert.equal(error.status, 404);
    assert.equal(error.code, 'NOT_FOUND');
    assert.match(error.requestId, /^req_/);
    assert.match(error.message, /coll_missing/);
  });

  test('422 lists details', async () => {
    const error = await client.collections.create('   ').catch((e) => e);
    assert.ok(error instanceof ValidationError);
    assert.equal(error.status, 422);
    assert.ok(error.details.some((d) => d.includes('name')));
  });

  test('409 for a taken slug', async () => {
    const first = await client.collections.create('A', { slug: 'js-taken' });
    try {
      await assert.rejects(client.collections.create('B', { slug: 'js-taken' }), Conflict);
    } finally {
      await client.collections.delete(first.id);
    }
  });

  test('401 for a bad token', async () => {
    const error = await new Client({ baseUrl: server.url, token: 'bogus' }).me().catch((e) => e);
    assert.ok(error instanceof Unauthorized);
    assert.equal(error.code, 'UNAUTHORIZED');
  });

  test('429 after failed logins, with retryAfter', async () => {
    const mm = new Client({ baseUrl: server.url });
    // five wrong passwords for one account from one client are free; the sixth waits
    for (let i = 0; i < 5; i += 1) await assert.rejects(mm.login('js-flood@example.com', 'wrong!!'), Unauthorized);
    const error = await mm.login('js-flood@example.com', 'wrong!!').catch((e) => e);
    assert.ok(error instanceof RateLimited);
    assert.ok(error.retryAfter > 0);
  });

  test('an answer without envelope is still an ApiError', async () => {
    const fake = async () => new Response('<html>bad gateway</html>', { status: 502 });
    const error = await new Client({ baseUrl: 'http://mm.invalid', fetch: fake }).me().catch((e) => e);
    assert.ok(error instanceof InternalError);
    assert.equal(error.status, 502);
  });

  test('connection refused is a TransportError', async () => {
    const port = await freePort();
    const error = await new Client({ baseUrl: `http://127.0.0.1:${port}`, timeout: 2000 }).health().catch((e) => e);
    assert.ok(error instanceof TransportError);
    assert.ok(!(error instanceof ApiError));
    assert.match(error.message, /cannot reach/);
  });

  test('a silent server times out', async () => {
    const sockets = new Set();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address();
      const error = await new Client({ baseUrl: `http://127.0.0.1:${port}`, timeout: 300 }).me().catch((e) => e);
      assert.ok(error instanceof Timeout);
      assert.ok(error instanceof TransportError);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
