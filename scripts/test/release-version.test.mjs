// `changeset version` on a copy of the repository's manifests and pending changesets: the fixed group
// must come out on one 0.x version (0.1.0 for the first release, as CONTRIBUTING promises), never 1.0.0.
// A peer range on core that the next version leaves makes changesets bump every adapter to a major, so
// when this fails after a release, widen the adapters' `@asynchttp/core` peer range to the next 0.x line.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'asynchttp-version-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const read = (file) => JSON.parse(readFileSync(file, 'utf8'));
const manifests = (base) =>
  ['packages', 'apps']
    .flatMap((group) =>
      readdirSync(path.join(base, group)).map((entry) => path.join(group, entry, 'package.json')),
    )
    .filter((file) => {
      try {
        readFileSync(path.join(base, file));
        return true;
      } catch {
        return false;
      }
    });

test('changeset version releases the fixed group on 0.x, the first time as 0.1.0', () => {
  for (const file of ['package.json', 'pnpm-workspace.yaml', ...manifests(root)]) {
    mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(scratch, file));
  }
  cpSync(path.join(root, '.changeset'), path.join(scratch, '.changeset'), { recursive: true });
  // The changelog generator named in config.json resolves from the copy's node_modules.
  symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  const pending = readdirSync(path.join(scratch, '.changeset')).filter(
    (f) => f.endsWith('.md') && f !== 'README.md',
  );

  execFileSync(path.join(root, 'node_modules', '.bin', 'changeset'), ['version'], {
    cwd: scratch,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const published = manifests(root).filter((file) => !read(path.join(root, file)).private);
  const before = Object.fromEntries(
    published.map((f) => [read(path.join(root, f)).name, read(path.join(root, f)).version]),
  );
  const after = Object.fromEntries(
    published.map((f) => [read(path.join(scratch, f)).name, read(path.join(scratch, f)).version]),
  );
  console.log(
    `${pending.length} changesets; ${Object.entries(before)
      .map(([n, v]) => `${n} ${v} → ${after[n]}`)
      .join(', ')}`,
  );

  assert.ok(published.length >= 5, `expected core and four packages, found ${published.length}`);
  const versions = new Set(Object.values(after));
  assert.equal(versions.size, 1, `the fixed group split: ${JSON.stringify(after)}`);
  const [next] = versions;
  const current = before['@asynchttp/core'];
  if (current === '0.0.0') assert.equal(next, '0.1.0', 'the first release must be 0.1.0');
  assert.match(next, /^0\./, `a 0.x release went to ${next}: a peer range on core was left behind`);

  // Every peer range on core, as pnpm will publish it, accepts the core of the same release.
  const [major, minor] = next.split('.');
  for (const file of published) {
    const range = read(path.join(scratch, file)).peerDependencies?.['@asynchttp/core'];
    if (range === undefined) continue;
    const accepted = range
      .replace(/^workspace:/, '')
      .split('||')
      .map((part) => part.trim())
      .some((part) => part === `^${major}.${minor}.0` || part === `^${next}`);
    assert.ok(accepted, `${file}: peer @asynchttp/core "${range}" does not accept ${next}`);
  }
});
