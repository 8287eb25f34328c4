// Starts `mockamocha serve --memory --port 0` for the tests (python from $MOCKAMOCHA_PYTHON).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADMIN = { email: 'js-admin@example.com', password: 'a long js admin password' };
const START_MS = 30_000;

/** Resolves to `{ url, stop }` once the server says where it listens. */
export function startServer() {
  const python = process.env.MOCKAMOCHA_PYTHON || 'python3';
  const cache = mkdtempSync(join(tmpdir(), 'mockamocha-js-'));
  const env = {
    ...process.env,
    MOCKAMOCHA_ADMIN_EMAIL: ADMIN.email,
    MOCKAMOCHA_ADMIN_PASSWORD: ADMIN.password,
    MOCKAMOCHA_CACHE_DIR: cache,
  };
  delete env.MOCKAMOCHA_SECRET;
  const child = spawn(python, ['-m', 'pytest_mockamocha.cli', 'serve', '--memory', '--port', '0'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = () =>
    new Promise((resolve) => {
      const done = () => {
        rmSync(cache, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(killer);
        done();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`mockamocha serve did not start in ${START_MS} ms: ${seen}`));
    }, START_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${python}: ${error.message} (set MOCKAMOCHA_PYTHON)`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mockamocha serve exited with ${code}: ${seen}`));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      const found = seen.match(/serving on (http:\/\/\S+)/);
      if (found) {
        clearTimeout(timer);
        child.stderr.resume();
        resolve({ url: found[1], stop });
      }
    });
  });
}

/** A small self-contained OpenAPI document. */
export const PETS = {
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1' },
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        summary: 'List pets',
        responses: {
          200: {
            description: 'pets',
            content: {
              'application/json': {
                schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } },
              },
            },
          },
        },
      },
    },
    '/pets/{petId}': {
      get: {
        operationId: 'getPet',
        summary: 'Get a pet',
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: {
          200: {
            description: 'a pet',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
          },
          404: { description: 'no such pet' },
        },
      },
    },
  },
  components: {
    schemas: {
      Pet: {
        type: 'object',
        required: ['id', 'name'],
        properties: { id: { type: 'integer' }, name: { type: 'string' }, tag: { type: 'string' } },
      },
    },
  },
};
