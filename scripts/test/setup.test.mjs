// Checks scripts/setup.mjs, the quick start's first line, without installing anything: --dry-run prints
// the commands it would run. A fake pnpm on PATH plays the machine's pnpm (or its absence).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pinned = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

/** Runs setup.mjs --dry-run with only node and a fake pnpm (printing `version`, or none) on PATH. */
function setup(t, version, args = []) {
  const bin = mkdtempSync(path.join(tmpdir(), 'setup-test-'));
  t.after(() => rmSync(bin, { recursive: true, force: true }));
  if (version !== undefined) {
    writeFileSync(path.join(bin, 'pnpm'), `#!/bin/sh\necho ${version}\n`);
    chmodSync(path.join(bin, 'pnpm'), 0o755);
  }
  // Only this folder is on PATH (the machine's own pnpm may sit next to node in /usr/bin).
  symlinkSync(process.execPath, path.join(bin, 'node'));
  const PATH = bin;
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'scripts', 'setup.mjs'), '--dry-run', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PATH },
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter((line) => line.startsWith('> '));
}

test('installs the pinned pnpm when none is on PATH, then installs and starts the sample', {
  skip: process.platform === 'win32',
}, (t) => {
  assert.deepEqual(setup(t, undefined), [
    `> npm install --global pnpm@${pinned}`,
    '> pnpm install --frozen-lockfile',
    '> pnpm start',
  ]);
});

test('replaces another pnpm version, keeps the pinned one, passes flags to the sample', {
  skip: process.platform === 'win32',
}, (t) => {
  assert.equal(setup(t, '9.0.0')[0], `> npm install --global pnpm@${pinned}`);
  assert.deepEqual(setup(t, pinned, ['--requests', '50']), [
    '> pnpm install --frozen-lockfile',
    '> pnpm start --requests 50',
  ]);
  assert.deepEqual(setup(t, pinned, ['--no-start']), ['> pnpm install --frozen-lockfile']);
});

test('is the root setup script, and CI runs it', () => {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.equal(scripts.setup, 'node scripts/setup.mjs');
  assert.match(readFileSync(path.join(root, '.ci', 'run'), 'utf8'), /^npm run setup\b/m);
  assert.match(readFileSync(path.join(root, '.ci', 'run'), 'utf8'), /^pnpm test$/m);
});
