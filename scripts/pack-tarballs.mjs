#!/usr/bin/env node
// Packs every publishable package (packages/*, not private) into tarballs that npm can install, for
// using asynchttp from a clone until it is on the registry. Run after `pnpm build`:
//   pnpm pack-tarballs [--out <dir>]     (default: .tarballs/ at the repository root)
// pnpm pack turns the `workspace:` ranges into real ones, exactly as `pnpm publish` will. The packaging
// test (scripts/test/packaging.test.mjs) installs what this writes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The publishable packages: `{ name, version, dir }` for each non-private packages/* manifest. */
export function publishablePackages() {
  const packagesDir = path.join(root, 'packages');
  return readdirSync(packagesDir)
    .map((entry) => path.join(packagesDir, entry))
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({ dir, ...JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
    .filter((manifest) => !manifest.private)
    .map(({ name, version, dir }) => ({ name, version, dir }));
}

/** Packs each publishable package into `out`; returns `{ name, version, tarball }` for each. */
export function packAll(out) {
  mkdirSync(out, { recursive: true });
  return publishablePackages().map(({ name, version, dir }) => {
    if (!existsSync(path.join(dir, 'dist'))) {
      throw new Error(`${name} has no dist/: run \`pnpm build\` first`);
    }
    execFileSync('pnpm', ['pack', '--pack-destination', out], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // pnpm names the tarball <scope>-<name>-<version>.tgz.
    const tarball = path.join(out, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
    if (!existsSync(tarball)) throw new Error(`pnpm pack wrote no ${tarball}`);
    return { name, version, tarball };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flag = process.argv.indexOf('--out');
  const out = path.resolve(flag === -1 ? path.join(root, '.tarballs') : process.argv[flag + 1]);
  try {
    const packed = packAll(out);
    for (const { tarball } of packed) console.log(tarball);
    console.log(`\nIn your project: npm install ${packed.map(({ tarball }) => tarball).join(' ')} undici@7`);
  } catch (error) {
    console.error(`pack-tarballs: ${error.message}`);
    process.exit(1);
  }
}
