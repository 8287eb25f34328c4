// Starts `mockamocha serve --memory --port 0` for the tests, with the project's own Python.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = process.platform === 'win32' ? join('Scripts', 'python.exe') : join('bin', 'python');

/**
 * The interpreter that has pytest-mockamocha installed: $MOCKAMOCHA_PYTHON, else the active
 * virtual environment, else the project's `.venv` (the README's install), else python3 and
 * python on PATH; the first that can import the package.
 */
export function findPython() {
  const candidates = [];
  if (process.env.MOCKAMOCHA_PYTHON) return process.env.MOCKAMOCHA_PYTHON;
  if (process.env.VIRTUAL_ENV) candidates.push(join(process.env.VIRTUAL_ENV, BIN));
  for (const venv of ['.venv', '.ci-venv', 'venv']) candidates.push(join(REPO, venv, BIN));
  candidates.push('python3', 'python');
  const tried = [];
  for (const python of candidates) {
    if (python.includes('/') || python.includes('\\')) {
      if (!existsSync(python)) continue;
    }
    const probe = spawnSync(python, ['-c', 'import pytest_mockamocha'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
    tried.push(python);
  }
  throw new Error(
    `no Python with pytest-mockamocha installed (tried ${tried.join(', ') || 'none'}); ` +
      "install it in the project's virtual environment (pip install -e '.[dev]') or set MOCKAMOCHA_PYTHON",
  );
}

export const ADMIN = { email: 'js-admin@example.com', password: 'a long js admin password' };
const START_MS = 30_000;

/** Resolves to `{ url, stop }` once the server says where it listens. */
export function startServer() {
  const python = findPython();
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
