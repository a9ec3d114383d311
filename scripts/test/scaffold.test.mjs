// Checks scripts/new-adapter.mjs end to end: a freshly scaffolded package builds, typechecks, lints and
// passes the conformance suite without edits, and bad invocations fail with one line and write nothing.
// Run with `node --test scripts/test/` after `pnpm build` (the suite runs against the built core and
// adapter-tests).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { addToFixedGroup, inWorkspace, readWorkspace, tokensFor, validateName } from '../new-adapter.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = path.join(root, 'scripts', 'new-adapter.mjs');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const changesetConfig = path.join(root, '.changeset', 'config.json');

/** Runs a command to completion or kills it after `timeout` ms; never rejects on a non-zero exit. */
function run(command, args, { cwd = root, timeout = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      // NO_COLOR and CI keep vitest's summary plain and non-interactive, so it can be matched.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, output: stdout + stderr });
    });
  });
}

const scaffold = (args) => run(process.execPath, [script, ...args]);

// Scratch folders live inside the repository (outside the pnpm workspace globs) so the package's
// tsconfig can extend the root's tsconfig.base.json, as a real packages/<name> does.
function scratch(t) {
  const dir = mkdtempSync(path.join(root, '.scaffold-tmp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Links what `pnpm install` would link, from the copies the repository already has. */
function linkDependencies(packageDir) {
  const modules = path.join(packageDir, 'node_modules');
  const links = {
    '@asynchttp/core': path.join(root, 'packages', 'core'),
    '@asynchttp/adapter-tests': path.join(root, 'packages', 'adapter-tests'),
    typescript: realpathSync(path.join(root, 'node_modules', 'typescript')),
    vitest: realpathSync(path.join(root, 'node_modules', 'vitest')),
    '@types/node': realpathSync(path.join(root, 'node_modules', '@types', 'node')),
  };
  for (const [name, target] of Object.entries(links)) {
    const link = path.join(modules, name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
}

describe('a freshly scaffolded adapter', { timeout: 150_000 }, () => {
  const name = 'scaffold-probe';
  let dir;
  let packageDir;
  let created;
  let changesetBefore;

  before(async () => {
    for (const built of ['core', 'adapter-tests']) {
      assert.ok(
        existsSync(path.join(root, 'packages', built, 'dist', 'index.js')),
        `packages/${built} is not built: run pnpm build first`,
      );
    }
    changesetBefore = existsSync(changesetConfig) ? readFileSync(changesetConfig, 'utf8') : undefined;
    dir = mkdtempSync(path.join(root, '.scaffold-tmp-'));
    packageDir = path.join(dir, name);
    created = await scaffold([name, '--dir', dir, '--no-install', '--outside-workspace']);
    if (created.code === 0) linkDependencies(packageDir);
  });

  // Registered before any test runs, so the folder goes even when an assertion fails.
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('is created with every token replaced and the next command printed', () => {
    assert.equal(created.code, 0, created.output);
    assert.match(created.stdout, /Next: pnpm --filter @asynchttp\/scaffold-probe test/);
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
    assert.equal(manifest.name, '@asynchttp/scaffold-probe');
    assert.equal(manifest.peerDependencies['@asynchttp/core'], 'workspace:^0.0.0 || ^0.1.0');
    const source = readFileSync(path.join(packageDir, 'src', 'index.ts'), 'utf8');
    assert.match(source, /scaffoldProbeAdapter/);
    assert.match(source, /ScaffoldProbeAdapterOptions/);
    for (const file of [
      'package.json',
      'tsconfig.json',
      'src/adapter.ts',
      'test/conformance.test.ts',
      'README.md',
    ]) {
      assert.doesNotMatch(readFileSync(path.join(packageDir, file), 'utf8'), /__[A-Z]+__/, file);
    }
  });

  test('leaves the changesets config alone when scaffolding outside packages/', () => {
    const now = existsSync(changesetConfig) ? readFileSync(changesetConfig, 'utf8') : undefined;
    assert.equal(now, changesetBefore);
  });

  test('builds', async () => {
    const { code, output } = await run(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: packageDir });
    assert.equal(code, 0, output);
    assert.ok(existsSync(path.join(packageDir, 'dist', 'index.js')));
    assert.ok(existsSync(path.join(packageDir, 'dist', 'index.d.ts')));
  });

  test('typechecks with its tests', async () => {
    const { code, output } = await run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: packageDir });
    assert.equal(code, 0, output);
  });

  test('passes biome', async () => {
    // The scratch folder is git-ignored, and Biome skips ignored files unless told not to read .gitignore.
    const { code, output } = await run(bin('biome'), ['check', '--vcs-use-ignore-file=false', '.'], {
      cwd: packageDir,
    });
    assert.equal(code, 0, output);
  });

  test('passes every case of the conformance suite, none skipped', async () => {
    const { code, output } = await run(bin('vitest'), ['run'], { cwd: packageDir, timeout: 120_000 });
    assert.equal(code, 0, output);
    const summary = output.match(/Tests\s+(\d+) passed \((\d+)\)/);
    assert.ok(summary, `no vitest summary in:\n${output}`);
    assert.equal(summary[1], summary[2], `some tests did not pass:\n${output}`);
    const { adapterCases } = await import(path.join(root, 'packages', 'adapter-tests', 'dist', 'index.js'));
    assert.ok(Number(summary[1]) >= adapterCases.length, `fewer tests than cases:\n${output}`);
  });
});

describe('new-adapter rejects bad input', { timeout: 30_000 }, () => {
  /** Asserts a one-line error on stderr, exit code 2, and an untouched scratch folder. */
  async function rejects(t, args, message) {
    const dir = scratch(t);
    const before = readdirSync(dir, { recursive: true });
    const result = await scaffold([...args.map((arg) => (arg === '<dir>' ? dir : arg))]);
    assert.equal(result.code, 2, result.output);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^new-adapter: /);
    assert.match(result.stderr, message);
    assert.deepEqual(readdirSync(dir, { recursive: true }), before);
    return dir;
  }

  test('a missing name', async (t) => {
    await rejects(t, ['--dir', '<dir>', '--no-install'], /missing adapter name/);
  });

  test('upper-case letters', async (t) => {
    await rejects(t, ['Got', '--dir', '<dir>', '--no-install'], /invalid adapter name "Got"/);
  });

  test('characters outside [a-z0-9-]', async (t) => {
    for (const name of ['my_adapter', 'a.b', '@scope/x', '../escape', 'x y']) {
      await rejects(t, [name, '--dir', '<dir>', '--no-install'], /invalid adapter name/);
    }
  });

  test('a leading digit or stray hyphens', async (t) => {
    for (const name of ['9lives', 'got-', 'got--fast']) {
      await rejects(t, [name, '--dir', '<dir>', '--no-install'], /invalid adapter name/);
    }
  });

  test('two names', async (t) => {
    await rejects(t, ['got', 'ky', '--dir', '<dir>', '--no-install'], /expected one adapter name, got 2/);
  });

  test('an unknown option', async (t) => {
    await rejects(t, ['got', '--force', '--dir', '<dir>'], /Unknown option '--force'/);
  });

  test('an existing folder, which is left as it was', async (t) => {
    const dir = scratch(t);
    mkdirSync(path.join(dir, 'taken'));
    const result = await scaffold(['taken', '--dir', dir, '--no-install', '--outside-workspace']);
    assert.equal(result.code, 2, result.output);
    assert.match(result.stderr, /^new-adapter: .*taken already exists/);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.deepEqual(readdirSync(path.join(dir, 'taken')), []);
  });

  /** Asserts exit code 2 with a one-line message, and that no package folder appeared anywhere. */
  async function refused(args, message) {
    const workspaceBefore = readWorkspace().packages;
    const result = await scaffold(args);
    assert.equal(result.code, 2, result.output);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, message);
    assert.deepEqual(readWorkspace().packages, workspaceBefore);
  }

  test('the name of any workspace package or app, whichever folder it would go to', async () => {
    for (const name of ['core', 'adapter-tests', 'undici', 'axios', 'fetch', 'sample', 'bench']) {
      await refused([name, '--no-install'], new RegExp(`"${name}" clashes with the workspace package`));
      await refused([name, '--dir', 'apps', '--no-install'], /clashes with the workspace package/);
    }
  });

  test('a reserved name', async () => {
    await refused(['monorepo', '--no-install'], /"monorepo" is reserved/);
  });

  test('a --dir outside the workspace globs, which would leave the package unlinked', async (t) => {
    const dir = scratch(t);
    for (const outside of [dir, root, path.join(root, 'packages', 'core'), path.join(root, 'templates')]) {
      await refused(
        ['got', '--dir', outside],
        /is outside the workspace \(pnpm-workspace\.yaml: packages\/\*, apps\/\*\)/,
      );
    }
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('new-adapter helpers', () => {
  test('tokens turn hyphenated names into identifiers and point at the root config', () => {
    const tokens = tokensFor('node-fetch', path.join(root, 'packages', 'node-fetch'));
    assert.deepEqual(tokens, {
      __NAME__: 'node-fetch',
      __FACTORY__: 'nodeFetchAdapter',
      __TYPE__: 'NodeFetchAdapter',
      __ROOT__: '../..',
    });
    assert.equal(tokensFor('got', path.join(root, 'a', 'b', 'got')).__ROOT__, '../../..');
  });

  test('workspace globs: one segment per *, negations excluded, nothing outside the root', () => {
    const globs = ['packages/*', 'apps/*', 'tools/**', '!packages/private'];
    const at = (...parts) => path.join(root, ...parts);
    assert.ok(inWorkspace(at('packages', 'got'), globs));
    assert.ok(inWorkspace(at('apps', 'got'), globs));
    assert.ok(inWorkspace(at('tools', 'a', 'b'), globs));
    assert.ok(!inWorkspace(at('packages', 'private'), globs));
    assert.ok(!inWorkspace(at('packages', 'a', 'got'), globs));
    assert.ok(!inWorkspace(at('got'), globs));
    assert.ok(!inWorkspace(path.join(path.dirname(root), 'packages', 'got'), globs));
    assert.deepEqual(readWorkspace().globs, ['packages/*', 'apps/*']);
  });

  test('names longer than 50 characters are refused', () => {
    assert.throws(() => validateName('a'.repeat(51)), /longer than 50/);
    assert.doesNotThrow(() => validateName('a'.repeat(50)));
  });

  test('the new adapter joins the fixed group that holds core, the rest of the file untouched', () => {
    const config =
      '{\n  "commit": false,\n  "fixed": [["@asynchttp/core", "@asynchttp/undici"]],\n  "linked": []\n}\n';
    assert.equal(
      addToFixedGroup(config, '@asynchttp/got'),
      '{\n  "commit": false,\n  "fixed": [["@asynchttp/core", "@asynchttp/undici", "@asynchttp/got"]],\n  "linked": []\n}\n',
    );
  });

  test('the fixed group is not changed twice, nor invented when core has none', () => {
    const config = '{ "fixed": [["@asynchttp/core", "@asynchttp/got"]] }';
    assert.equal(addToFixedGroup(config, '@asynchttp/got'), undefined);
    assert.equal(addToFixedGroup('{ "fixed": [] }', '@asynchttp/got'), undefined);
    assert.equal(addToFixedGroup('{}', '@asynchttp/got'), undefined);
  });

  test('the repository config accepts a new adapter', () => {
    const next = addToFixedGroup(readFileSync(changesetConfig, 'utf8'), '@asynchttp/probe');
    assert.ok(next);
    const group = JSON.parse(next).fixed.find((g) => g.includes('@asynchttp/core'));
    assert.ok(group.includes('@asynchttp/probe'));
  });
});

describe('CONTRIBUTING.md', () => {
  const guide = readFileSync(path.join(root, 'CONTRIBUTING.md'), 'utf8');

  test('quotes the adapter contract exactly as core defines it', () => {
    const source = readFileSync(path.join(root, 'packages', 'core', 'src', 'adapter.ts'), 'utf8');
    const contract = source.slice(source.indexOf('export interface Adapter {')).trimEnd();
    assert.ok(
      guide.includes(contract),
      'the contract in CONTRIBUTING.md differs from packages/core/src/adapter.ts',
    );
  });

  test('gives the two commands the scaffold prints', () => {
    assert.match(guide, /pnpm new-adapter got\npnpm --filter @asynchttp\/got test\n/);
  });
});
