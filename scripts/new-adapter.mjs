#!/usr/bin/env node
// Scaffolds an adapter package from templates/adapter: a node:http adapter that already passes the
// conformance suite, so a contributor starts green and swaps in their library step by step.
//
//   pnpm new-adapter <name> [--dir <path>] [--no-install] [--outside-workspace]
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const templateDir = path.join(root, 'templates', 'adapter');
const USAGE = 'usage: pnpm new-adapter <name> [--dir <path>] [--no-install] [--outside-workspace]';
// Lower-case words joined by single hyphens, starting with a letter: valid in an npm scope and
// convertible to a JavaScript identifier (node-fetch → nodeFetchAdapter).
const NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 50;
// Names the repository has taken or will take for something that is not an adapter of that name.
const RESERVED_NAMES = new Set(['core', 'adapter-tests', 'sample', 'bench', 'monorepo']);

/** A bad invocation: reported as one line on stderr, exit code 2 (nothing is written). */
export class UsageError extends Error {
  name = 'UsageError';
}

/** Reads the command line; throws `UsageError` for anything it cannot act on. */
export function readArgs(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        'no-install': { type: 'boolean', default: false },
        'outside-workspace': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${error.message.split('. ')[0]} (${USAGE})`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length === 0) throw new UsageError(`missing adapter name (${USAGE})`);
  if (positionals.length > 1)
    throw new UsageError(`expected one adapter name, got ${positionals.length} (${USAGE})`);
  const name = positionals[0];
  validateName(name);
  const workspace = readWorkspace();
  checkNameIsFree(name, workspace);
  const dir = path.resolve(values.dir ?? path.join(root, 'packages'));
  const outside = values['outside-workspace'];
  if (!outside && !inWorkspace(path.join(dir, name), workspace.globs)) {
    throw new UsageError(
      `--dir ${shownPath(dir)} is outside the workspace (pnpm-workspace.yaml: ${workspace.globs.join(', ')}), so the package would not be linked, built or tested; use --dir packages, or add --outside-workspace to create an unlinked package on purpose`,
    );
  }
  // pnpm install cannot link a package outside the workspace, so there is nothing to install for it.
  return { help: false, name, dir, install: !values['no-install'] && !outside };
}

function shownPath(target) {
  const relative = path.relative(process.cwd(), target);
  return relative.startsWith('..') ? target : relative || '.';
}

/** The workspace's package globs (pnpm-workspace.yaml) and the packages they hold: folder and name. */
export function readWorkspace(workspaceRoot = root) {
  const yaml = readFileSync(path.join(workspaceRoot, 'pnpm-workspace.yaml'), 'utf8');
  const list = yaml.match(/^packages:\s*\n((?:[ \t]*(?:-.*|#.*)?\n?)*)/m)?.[1] ?? '';
  const globs = [...list.matchAll(/^[ \t]*-[ \t]*['"]?([^'"#\n]+?)['"]?[ \t]*(?:#.*)?$/gm)].map((m) => m[1]);
  const packages = [];
  for (const glob of globs.filter((g) => !g.startsWith('!'))) {
    // Only the `<folder>/*` globs this repository uses are expanded; a deeper glob still counts in
    // inWorkspace, it just contributes no names to clash with.
    const match = glob.match(/^([^*]+)\/\*$/);
    if (!match) continue;
    const parent = path.join(workspaceRoot, match[1]);
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const manifest = path.join(parent, entry.name, 'package.json');
      const packageName = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).name : undefined;
      packages.push({ folder: entry.name, name: packageName });
    }
  }
  return { root: workspaceRoot, globs, packages };
}

/** Whether a package folder matches one of the workspace globs (`*` is one path segment, `**` any). */
export function inWorkspace(packageDir, globs, workspaceRoot = root) {
  const relative = path.relative(workspaceRoot, packageDir).split(path.sep).join('/');
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
  const matches = (glob) => {
    const source = glob
      .replace(/\/+$/, '')
      .split('/')
      .map((part) =>
        part === '**' ? '.*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'),
      )
      .join('/');
    return new RegExp(`^${source}$`).test(relative);
  };
  const included = globs.filter((g) => !g.startsWith('!')).some(matches);
  return included && !globs.filter((g) => g.startsWith('!')).some((g) => matches(g.slice(1)));
}

/** Throws `UsageError` when `@asynchttp/<name>` or its folder would clash with the workspace. */
export function checkNameIsFree(name, workspace) {
  const packageName = `@asynchttp/${name}`;
  const taken = workspace.packages.find((p) => p.name === packageName || p.folder === name);
  if (taken) {
    throw new UsageError(
      `adapter name "${name}" clashes with the workspace package ${taken.name ?? taken.folder}; pick another name`,
    );
  }
  if (RESERVED_NAMES.has(name)) {
    throw new UsageError(`adapter name "${name}" is reserved by the repository; pick another name`);
  }
}

/** Throws `UsageError` unless `name` can be both `@asynchttp/<name>` and the stem of an identifier. */
export function validateName(name) {
  if (name.length > MAX_NAME_LENGTH) {
    throw new UsageError(`adapter name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError(
      `invalid adapter name ${JSON.stringify(name)}: use lower-case letters, digits and single hyphens, starting with a letter (such as "got" or "node-fetch")`,
    );
  }
}

/** The placeholder tokens of templates/adapter and their values for one package folder. */
export function tokensFor(name, packageDir) {
  const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
  return {
    __NAME__: name,
    __FACTORY__: `${camel}Adapter`,
    __TYPE__: `${camel[0].toUpperCase()}${camel.slice(1)}Adapter`,
    // tsconfigs extend the root's base config, wherever --dir put the package.
    __ROOT__: path.relative(packageDir, root).split(path.sep).join('/') || '.',
  };
}

function fill(text, tokens) {
  return text.replace(/__(?:NAME|FACTORY|TYPE|ROOT)__/g, (token) => tokens[token]);
}

function templateFiles(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? templateFiles(path.join(dir, entry.name), relative) : [relative];
  });
}

/** Copies the template into `<dir>/<name>` with its tokens replaced; returns the package folder. */
export function scaffold({ name, dir }) {
  const packageDir = path.join(dir, name);
  if (existsSync(packageDir)) {
    throw new UsageError(
      `${path.relative(process.cwd(), packageDir) || packageDir} already exists; pick another name`,
    );
  }
  const tokens = tokensFor(name, packageDir);
  try {
    for (const file of templateFiles(templateDir)) {
      // Markdown is kept as .tmpl in the template: Biome's formatter would turn __NAME__ into **NAME**.
      const target = path.join(packageDir, file.replace(/\.tmpl$/, ''));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, fill(readFileSync(path.join(templateDir, file), 'utf8'), tokens));
    }
  } catch (error) {
    // A half-written package would make the next attempt fail with "already exists".
    rmSync(packageDir, { recursive: true, force: true });
    throw error;
  }
  return packageDir;
}

/**
 * Adds `packageName` to the changesets `fixed` group that holds `@asynchttp/core`, so the new adapter is
 * always released with core. Returns the new config text, or `undefined` when there is nothing to change.
 * Only the `fixed` entry is rewritten, keeping the rest of the file as it was written.
 */
export function addToFixedGroup(configText, packageName) {
  const config = JSON.parse(configText);
  const group = config.fixed?.find((g) => g.includes('@asynchttp/core'));
  if (!group || group.includes(packageName)) return undefined;
  group.push(packageName);
  const fixed = `[${config.fixed.map((g) => `[${g.map((n) => JSON.stringify(n)).join(', ')}]`).join(', ')}]`;
  const next = configText.replace(/"fixed"\s*:\s*\[\s*\[[\s\S]*?\]\s*\]/, `"fixed": ${fixed}`);
  return next === configText ? undefined : next;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
  return result.status === 0;
}

function main(argv) {
  const args = readArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const packageName = `@asynchttp/${args.name}`;
  const packageDir = scaffold(args);
  const shown = path.relative(process.cwd(), packageDir) || packageDir;
  console.log(`Created ${shown} (${packageName}), a node:http adapter that passes the conformance suite.`);

  const changesetConfig = path.join(root, '.changeset', 'config.json');
  if (inWorkspace(packageDir, readWorkspace().globs) && existsSync(changesetConfig)) {
    const next = addToFixedGroup(readFileSync(changesetConfig, 'utf8'), packageName);
    if (next) {
      writeFileSync(changesetConfig, next);
      console.log(`Added ${packageName} to the fixed release group in .changeset/config.json.`);
    }
  }

  if (args.install) {
    // Links the new package into the workspace; it needs nothing the store does not already hold.
    if (!run('pnpm', ['install', '--prefer-offline'])) {
      console.error('new-adapter: pnpm install failed; fix the error above, run pnpm install, then test.');
      return 1;
    }
    // The suite runs against the built core and adapter-tests, which a fresh clone has not built yet.
    if (!run('pnpm', ['--filter', `${packageName}^...`, 'build'])) {
      console.error(`new-adapter: building ${packageName}'s workspace dependencies failed (see above).`);
      return 1;
    }
  }
  console.log(`\nNext: pnpm --filter ${packageName} test`);
  console.log(`Then replace node:http with ${args.name} in ${shown}/src (see the TODOs in its README).`);
  return 0;
}

const invoked = process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
if (invoked) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`new-adapter: ${error instanceof UsageError ? error.message : error.stack}`);
    // 2, as for any command-line tool's usage error: nothing was written.
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
