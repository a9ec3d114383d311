// The packages as a user gets them: `pnpm pack-tarballs` (the README's procedure for using a clone),
// then `npm install` of the tarballs into a fresh project outside the workspace, with typescript,
// undici 7 and axios from the registry. Every TypeScript block of the READMEs must compile there under
// `module: nodenext` and under `module: esnext` + `moduleResolution: bundler` (strict,
// exactOptionalPropertyTypes, skipLibCheck: false); the quick start runs against a loopback server;
// publint and attw (ESM-only profile) pass on every tarball. Run after `pnpm build`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packAll } from '../pack-tarballs.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'asynchttp-packaging-'));
const app = path.join(scratch, 'app');
const readmes = [
  'README.md',
  'packages/core/README.md',
  'packages/undici/README.md',
  'packages/axios/README.md',
  'packages/fetch/README.md',
  'packages/adapter-tests/README.md',
  'packages/bullmq/README.md',
];
// A block may use the factories its README imported in an earlier block; it gets those imports.
const knownImports = {
  Http: '@asynchttp/core',
  undiciAdapter: '@asynchttp/undici',
  axiosAdapter: '@asynchttp/axios',
  fetchAdapter: '@asynchttp/fetch',
  testAdapter: '@asynchttp/adapter-tests',
  bullmqAdapter: '@asynchttp/bullmq',
  startWorker: '@asynchttp/bullmq',
};
// The adapter-tests README shows an adapter package's own test; the undici adapter stands in for it.
const standIns = [
  [
    /import \{ myAdapter \} from '\.\.\/src\/index\.js';/,
    "import { undiciAdapter as myAdapter } from '@asynchttp/undici';",
  ],
];

// Blocks that do not compile yet, with why; each is printed as skipped. Remove an entry once it compiles.
const knownBroken = [
  {
    file: 'packages/fetch/README.md',
    includes: 'dispatcher',
    reason: "undici's RequestInit and the global one (undici-types) differ under exactOptionalPropertyTypes",
  },
];

let packed = [];
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a command; resolves with its output, rejects with the output in the message on failure. */
async function run(command, args, options = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd: app,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      ...options,
    });
    return stdout + stderr;
  } catch (error) {
    throw new Error(
      `${path.basename(command)} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}${error.message}`,
    );
  }
}

function tsBlocks() {
  const found = [];
  for (const file of readmes) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
      let code = match[1];
      for (const [pattern, replacement] of standIns) code = code.replace(pattern, replacement);
      const prelude = Object.entries(knownImports)
        .filter(
          ([name]) =>
            new RegExp(`\\b${name}\\b`).test(code) && !new RegExp(`import[^;]*\\b${name}\\b`).test(code),
        )
        .map(([name, from]) => `import { ${name} } from '${from}';\n`)
        .join('');
      const broken = knownBroken.find((entry) => entry.file === file && code.includes(entry.includes));
      if (broken) {
        console.log(`skipped ${file} block: ${broken.reason}`);
        continue;
      }
      found.push({
        file,
        line: text.slice(0, match.index).split('\n').length,
        code: `${prelude}${code}\nexport {};\n`,
      });
    }
  }
  return found;
}

describe('the packed packages, installed outside the workspace', { timeout: 300_000 }, () => {
  before(async () => {
    const started = Date.now();
    packed = packAll(path.join(scratch, 'tarballs'));
    console.log(`packed ${packed.map(({ tarball }) => path.basename(tarball)).join(', ')}`);
    mkdirSync(app);
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'packaging-probe', private: true, type: 'module' }, null, 2),
    );
    await run('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...packed.map(({ tarball }) => tarball),
      'undici@^7',
      'axios@^1',
      'typescript@~5.9.3',
      '@types/node@^20.19.0',
    ]);
    console.log(`npm install of the tarballs, undici 7, axios 1, typescript 5.9: ${Date.now() - started} ms`);
  });

  for (const [label, compilerOptions] of [
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['esnext + bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ]) {
    test(`every README TypeScript block compiles (${label}, exactOptionalPropertyTypes, skipLibCheck: false)`, async () => {
      const dir = path.join(app, label.replace(/\W+/g, '-'));
      mkdirSync(dir, { recursive: true });
      const blocks = tsBlocks();
      assert.ok(blocks.length >= 12, `only ${blocks.length} TypeScript blocks found`);
      const names = blocks.map((block, index) => {
        writeFileSync(path.join(dir, `block-${index}.ts`), block.code);
        return `block-${index}.ts ← ${block.file}:${block.line}`;
      });
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            ...compilerOptions,
            target: 'es2022',
            lib: ['es2023'],
            types: ['node'],
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            noEmit: true,
          },
          include: ['*.ts'],
        }),
      );
      const tsc = path.join(app, 'node_modules', '.bin', 'tsc');
      await assert.doesNotReject(run(tsc, ['-p', dir]), `blocks:\n${names.join('\n')}`);
      console.log(`tsc (${label}): ${blocks.length} blocks from ${readmes.length} READMEs compile`);
    });
  }

  test("the README's quick start runs against a loopback server", async () => {
    const server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ items: [{ id: 'a' }, { id: 'b' }], path: request.url }));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address();
      const [quickStart] = tsBlocks().filter((block) => block.file === 'README.md');
      const dir = path.join(app, 'run');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'quick-start.ts'),
        quickStart.code.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`),
      );
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            target: 'es2022',
            types: ['node'],
            strict: true,
            outDir: 'out',
          },
          include: ['*.ts'],
        }),
      );
      await run(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', dir]);
      const output = await run(process.execPath, [path.join(dir, 'out', 'quick-start.js')], {
        timeout: 30_000,
      });
      assert.match(output, /200/, output);
      console.log(
        `quick start (README.md:${quickStart.line}) printed: ${output.trim().split('\n').join(' | ')}`,
      );
    } finally {
      server.close();
    }
  });

  test('publint and attw (ESM-only profile) pass on every tarball', async () => {
    for (const { name, tarball } of packed) {
      await run(bin('publint'), ['run', '--strict', tarball], { cwd: scratch });
      await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped'], {
        cwd: scratch,
      });
      console.log(`publint --strict, attw --profile esm-only: ${name} ok`);
    }
  });
});
