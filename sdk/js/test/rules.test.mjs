// The whole rule model through the JavaScript client against a real `mockamocha serve`:
// sequences (`then`), scenarios, reset, contract warnings, stateful collections, delays.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client, NotFound, ValidationError } from '../src/index.js';
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

const unique = (prefix) => `${prefix} ${Math.random().toString(36).slice(2, 10)}`;

/** PETS with the writes a stateful collection answers: POST, PUT and DELETE. */
const PET_CRUD = structuredClone(PETS);
const petBody = {
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, tag: { type: 'string' } },
      },
    },
  },
};
const onePet = {
  description: 'a pet',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
};
PET_CRUD.paths['/pets'].post = {
  operationId: 'createPet',
  requestBody: petBody,
  responses: { 201: onePet },
};
PET_CRUD.paths['/pets/{petId}'].put = {
  operationId: 'updatePet',
  parameters: PETS.paths['/pets/{petId}'].get.parameters,
  requestBody: petBody,
  responses: { 200: onePet, 404: { description: 'no such pet' } },
};
PET_CRUD.paths['/pets/{petId}'].delete = {
  operationId: 'deletePet',
  parameters: PETS.paths['/pets/{petId}'].get.parameters,
  responses: { 204: { description: 'deleted' }, 404: { description: 'no such pet' } },
};

async function withPets(run, document = PETS) {
  const coll = await client.collections.create(unique('JS rules'));
  try {
    await client.collections.importSpec(coll.id, document);
    const { endpoints } = await client.endpoints.list({ collection_id: coll.id, per_page: 100 });
    const pet = endpoints.find((e) => e.operation_id === 'getPet');
    await run(await client.collections.get(coll.id), pet);
  } finally {
    await client.collections.delete(coll.id).catch(() => {});
  }
}

const mock = (coll, path, init) => fetch(`${coll.mock_url}${path}`, init);
const sendJson = (method, body) => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

describe('rules with sequences and scenarios', { timeout: 30_000 }, () => {
  test('then, scenario, hits, scenarios, setScenario, reset', () =>
    withPets(async (coll, pet) => {
      const rule = await client.rules.create(pet.id, {
        match: { path: { petId: { one_of: [7, 8] } } },
        response: { status: 404, headers: { 'X-Why': 'gone' }, times: 1 },
        then: [{ json: { id: 7, name: 'Rex' } }],
        scenario: 'adoption',
        next_state: 'seen',
        name: 'adoption',
      });
      assert.deepEqual(rule.then, [{ json: { id: 7, name: 'Rex' } }]);
      assert.deepEqual([rule.scenario, rule.state, rule.next_state], ['adoption', 'started', 'seen']);
      assert.deepEqual([rule.hits, rule.warnings], [0, []]);
      assert.deepEqual(await client.collections.scenarios(coll.id), {
        scenarios: [{ name: 'adoption', state: 'started' }],
      });

      const first = await mock(coll, '/pets/7');
      assert.equal(first.status, 404);
      assert.equal(first.headers.get('x-why'), 'gone');
      await first.text();
      assert.equal((await client.rules.get(pet.id, rule.id)).hits, 1);
      const seen = await client.collections.scenarios(coll.id);
      assert.deepEqual(seen.scenarios, [{ name: 'adoption', state: 'seen' }]);
      const unruled = await mock(coll, '/pets/7');
      assert.equal(unruled.status, 200);
      assert.equal(unruled.headers.get('x-why'), null);
      await unruled.text();

      const moved = await client.collections.setScenario(coll.id, 'adoption', 'started');
      assert.deepEqual(moved.scenarios, [{ name: 'adoption', state: 'started' }]);
      const second = await mock(coll, '/pets/8');
      assert.deepEqual([second.status, await second.json()], [200, { id: 7, name: 'Rex' }]);

      const reset = await client.collections.reset(coll.id);
      assert.deepEqual(reset.scenarios, [{ name: 'adoption', state: 'started' }]);
      const again = await mock(coll, '/pets/7');
      assert.equal(again.status, 404);
      await again.text();
      assert.equal((await client.rules.get(pet.id, rule.id)).hits, 1);
    }));

  test('update: given fields change, null removes one', () =>
    withPets(async (coll, pet) => {
      const rule = await client.rules.create(pet.id, {
        response: { status: 404 },
        then: [{ status: 200 }],
        scenario: 's',
        state: 'one',
        priority: 3,
      });
      const moved = await client.rules.update(pet.id, rule.id, { state: 'two', next_state: 'three' });
      assert.deepEqual([moved.state, moved.next_state, moved.priority], ['two', 'three', 3]);
      assert.deepEqual(moved.then, [{ status: 200 }]);
      const gone = await client.rules.update(pet.id, rule.id, {
        then: null,
        scenario: null,
        state: null,
        next_state: null,
      });
      assert.deepEqual([gone.then, gone.scenario, gone.state, gone.next_state], [[], null, null, null]);
      const statuses = [];
      for (let i = 0; i < 2; i += 1) {
        const answer = await mock(coll, '/pets/1');
        statuses.push(answer.status);
        await answer.text();
      }
      assert.deepEqual(statuses, [404, 404]);
      // fields of a rule view that are not rule fields (id, hits, ...) are not sent
      const copy = await client.rules.create(pet.id, { ...gone, name: 'copy' });
      assert.deepEqual([copy.name, copy.priority, copy.response], ['copy', 3, { status: 404 }]);
    }));

  test('a rule off the contract is kept with warnings', () =>
    withPets(async (coll, pet) => {
      const rule = await client.rules.create(pet.id, { response: { status: 200, json: { id: 'seven' } } });
      assert.ok(rule.warnings.some((w) => w.includes('body.id')), rule.warnings);
      const fixed = await client.rules.update(pet.id, rule.id, {
        response: { status: 200, json: { id: 7, name: 'Rex' } },
      });
      assert.deepEqual(fixed.warnings, []);
    }));
});

describe('stateful collections and delays', { timeout: 30_000 }, () => {
  test('update({stateful}) then a CRUD round trip through the mock; reset reseeds', () =>
    withPets(async (coll) => {
      assert.deepEqual([coll.stateful, coll.delay], [false, null]);
      const changed = await client.collections.update(coll.id, { stateful: true });
      assert.equal(changed.stateful, true);
      const seeded = await (await mock(coll, '/pets')).json();
      const made = await mock(coll, '/pets', sendJson('POST', { name: 'Rex', tag: 'dog' }));
      assert.equal(made.status, 201);
      const pet = await made.json();
      assert.deepEqual([pet.name, pet.tag], ['Rex', 'dog']);
      assert.deepEqual(await (await mock(coll, `/pets/${pet.id}`)).json(), pet);
      const put = await (await mock(coll, `/pets/${pet.id}`, sendJson('PUT', { name: 'Max' }))).json();
      assert.deepEqual([put.id, put.name], [pet.id, 'Max']);
      const removed = await mock(coll, `/pets/${pet.id}`, { method: 'DELETE' });
      assert.equal(removed.status, 204);
      await removed.text();
      const missing = await mock(coll, `/pets/${pet.id}`);
      assert.equal(missing.status, 404);
      await missing.text();
      await (await mock(coll, '/pets', sendJson('POST', { name: 'Kept until the reset' }))).text();
      assert.deepEqual(await client.collections.reset(coll.id), { scenarios: [] });
      assert.deepEqual(await (await mock(coll, '/pets')).json(), seeded);
      assert.equal((await client.collections.update(coll.id, { stateful: false })).stateful, false);
    }, PET_CRUD));

  test('update({delay}): seconds, [min, max], null', () =>
    withPets(async (coll) => {
      assert.equal((await client.collections.update(coll.id, { delay: 0.01 })).delay, 0.01);
      const ranged = await client.collections.update(coll.id, { delay: [0.01, 0.02] });
      assert.deepEqual(ranged.delay, [0.01, 0.02]);
      const renamed = await client.collections.update(coll.id, { name: 'renamed' });
      assert.deepEqual([renamed.name, renamed.delay], ['renamed', [0.01, 0.02]]);
      assert.equal((await client.collections.update(coll.id, { delay: null })).delay, null);
    }));
});

describe('errors of the rule calls', { timeout: 30_000 }, () => {
  test('422 with details for a bad rule, a bad delay, an empty state', () =>
    withPets(async (coll, pet) => {
      const bad = await client.rules
        .create(pet.id, { response: {}, then: [{ delay: [3, 1] }] })
        .catch((e) => e);
      assert.ok(bad instanceof ValidationError);
      assert.equal(bad.status, 422);
      assert.ok(bad.details.some((d) => d.includes('"then[0].delay"')), bad.details);
      const orphan = await client.rules.create(pet.id, { response: {}, state: 'x' }).catch((e) => e);
      assert.ok(orphan.details.some((d) => d.includes('"state"')), orphan.details);
      await assert.rejects(client.collections.update(coll.id, { delay: [2, 1] }), ValidationError);
      await assert.rejects(client.collections.setScenario(coll.id, 'a', ' '), ValidationError);
      assert.equal((await client.rules.list(pet.id)).total, 0);
    }));

  test('404 for an unknown collection or another workspace', () =>
    withPets(async (coll, pet) => {
      for (const call of [
        () => client.collections.scenarios('coll_missing'),
        () => client.collections.setScenario('coll_missing', 'a', 'b'),
        () => client.collections.reset('coll_missing'),
        () => client.collections.update('coll_missing', { stateful: true }),
      ]) {
        await assert.rejects(call, NotFound);
      }
      const email = `${unique('stranger').replace(' ', '-')}@example.com`;
      const password = 'a long stranger password';
      await client.request('POST', '/api/users', { json: { email, name: 'Stranger', password } });
      const stranger = new Client({ baseUrl: server.url });
      await stranger.login(email, password);
      await assert.rejects(stranger.collections.scenarios(coll.id), NotFound);
      await assert.rejects(stranger.collections.reset(coll.id), NotFound);
      await assert.rejects(stranger.collections.setScenario(coll.id, 'a', 'b'), NotFound);
      await assert.rejects(stranger.collections.update(coll.id, { stateful: true }), NotFound);
      await assert.rejects(stranger.rules.create(pet.id, { response: {}, scenario: 'x' }), NotFound);
      assert.equal((await client.collections.get(coll.id)).stateful, false);
    }));
});
