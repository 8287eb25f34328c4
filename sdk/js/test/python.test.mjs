// The tests find the project's own Python without being told where it is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';

import { findPython } from './_server.mjs';

const saved = { MOCKAMOCHA_PYTHON: process.env.MOCKAMOCHA_PYTHON, VIRTUAL_ENV: process.env.VIRTUAL_ENV };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function importsThePackage(python) {
  return spawnSync(python, ['-c', 'import pytest_mockamocha'], { stdio: 'ignore' }).status === 0;
}

test('without MOCKAMOCHA_PYTHON a python that has the package is found', () => {
  delete process.env.MOCKAMOCHA_PYTHON;
  const python = findPython();
  assert.ok(importsThePackage(python), python);
});

test('a virtual environment without python is passed over', () => {
  delete process.env.MOCKAMOCHA_PYTHON;
  const empty = mkdtempSync(join(tmpdir(), 'not-a-venv-'));
  try {
    process.env.VIRTUAL_ENV = empty;
    const python = findPython();
    assert.ok(!python.startsWith(empty));
    assert.ok(importsThePackage(python), python);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('MOCKAMOCHA_PYTHON still wins when set', () => {
  process.env.MOCKAMOCHA_PYTHON = '/some/where/python';
  assert.equal(findPython(), '/some/where/python');
});
