// The example of docs/sdk-js.md, run against a real `mockamocha serve` (the docs quote it).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Client, NotFound } from '../src/index.js';
import { ADMIN, PETS, startServer } from './_server.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

async function quickstart(baseUrl, email, password, openapiDocument) {
  const mm = new Client({ baseUrl, timeout: 10_000 });
  await mm.login(email, password);

  const coll = await mm.collections.create('Pet Store', { description: 'Mock of the pet store' });
  const done = await mm.collections.importSpec(coll.id, openapiDocument);
  console.log(`${done.endpoints_created} endpoints, mock at ${coll.mock_url}`);

  const { endpoints } = await mm.endpoints.list({ collection_id: coll.id, q: 'Get a pet' });
  await mm.rules.create(endpoints[0].id, {
    match: { path: { petId: '42' } },
    response: { status: 200, json: { id: 42, name: 'Deep Thought' } },
  });
  const pet = await (await fetch(`${coll.mock_url}/pets/42`)).json();

  for await (const c of mm.collections.iter()) console.log(c.id, c.name, c.endpoints_count);

  try {
    await mm.collections.get('coll_does_not_exist');
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    console.log(error.status, error.code, error.requestId);
  }
  await mm.collections.delete(coll.id);
  return pet;
}

test('the quickstart of docs/sdk-js.md', { timeout: 30_000 }, async () => {
  const pet = await quickstart(server.url, ADMIN.email, ADMIN.password, PETS);
  assert.deepEqual(pet, { id: 42, name: 'Deep Thought' });
});
