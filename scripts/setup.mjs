#!/usr/bin/env node
// The quick start's first line, `npm run setup`: needs only Node and npm. Installs the pnpm pinned in
// package.json when it is missing or another version, installs the workspace from the lockfile, then
// runs the sample app (`pnpm start`, which builds what it needs). CI runs the same script.
//
//   npm run setup [-- <sample app flags>]      node scripts/setup.mjs --no-start
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const pinned = manifest.packageManager.split('@')[1];
const minimumNode = manifest.engines.node.replace(/^>=/, '');
// npm and pnpm are .cmd shims on Windows, which only a shell can start.
const shell = process.platform === 'win32';

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

function run(command, args) {
  console.log(`> ${command} ${args.join(' ')}`);
  if (process.argv.includes('--dry-run')) return;
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (see above)`);
}

const newer = (version, minimum) => {
  const [a, b] = [version, minimum].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};
if (!newer(process.versions.node, minimumNode)) {
  fail(`Node ${minimumNode} or later is needed; this is Node ${process.versions.node}`);
}

const found = spawnSync('pnpm', ['--version'], { cwd: root, encoding: 'utf8', shell });
const installed = found.status === 0 ? found.stdout.trim() : undefined;
if (installed !== pinned) {
  console.log(
    `pnpm ${installed ?? 'is missing'}${installed ? ' found' : ''}; installing pnpm@${pinned} (pinned in package.json)`,
  );
  run('npm', ['install', '--global', `pnpm@${pinned}`]);
}
run('pnpm', ['install', '--frozen-lockfile']);

const args = process.argv.slice(2).filter((arg) => arg !== '--dry-run');
if (args.includes('--no-start')) {
  console.log('\nSet up. Run the sample app with pnpm start, and every test with pnpm test.');
} else {
  run('pnpm', ['start', ...args]);
  console.log('\nNext: pnpm test runs every test.');
}
