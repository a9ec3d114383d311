// Docs are part of the feature: every TypeScript block of the root README is type-checked against the
// built packages, and every `pnpm` command in its shell blocks must be a root script, so neither can rot.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const here = path.resolve(import.meta.dirname, '..');
const root = path.resolve(here, '..', '..');
// Inside the sample package, so '@asynchttp/*' resolve through its dependencies.
const scratch = path.join(here, '.readme-check');
const readmes = ['README.md', 'packages/core/README.md'];

interface Block {
  file: string;
  lang: string;
  line: number;
  code: string;
}

async function blocks(): Promise<Block[]> {
  const found: Block[] = [];
  for (const file of readmes) {
    const text = await readFile(path.join(root, file), 'utf8');
    for (const match of text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
      const line = text.slice(0, match.index).split('\n').length;
      found.push({ file, lang: match[1]!, line, code: match[2]! });
    }
  }
  return found;
}

// pnpm's own commands that a README may use besides the root scripts.
const pnpmBuiltins = new Set(['install', 'add', 'exec', 'dlx', 'run']);

afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('README code blocks', () => {
  test('every TypeScript block compiles against the built packages', async () => {
    const typescript = (await blocks()).filter((block) => block.lang === 'ts');
    expect(typescript.length).toBeGreaterThanOrEqual(8);
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    const names: string[] = [];
    for (const [index, block] of typescript.entries()) {
      const name = `block-${index}.ts`;
      names.push(`${name} ← ${block.file}:${block.line}`);
      // A block is a module of its own (top-level await, its own imports).
      await writeFile(path.join(scratch, name), `${block.code}\nexport {};\n`);
    }
    await writeFile(
      path.join(scratch, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../../tsconfig.base.json',
        compilerOptions: { noEmit: true, types: ['node'], noUnusedLocals: false },
        include: ['*.ts'],
      }),
    );
    const tsc = path.join(here, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', path.join(scratch, 'tsconfig.json')], { timeout: 120_000 }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
    );
    expect(result.output, `blocks:\n${names.join('\n')}`).toBe('');
    expect(result.code).toBe(0);
  }, 150_000);

  test('every pnpm command in a shell block is a root script or a pnpm command', async () => {
    const { scripts } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const commands = (await blocks())
      .filter((block) => block.lang === 'sh')
      .flatMap((block) => block.code.split('\n'))
      .flatMap((line) => line.split('&&'))
      .map((command) => command.trim().replace(/^(?:[A-Z_]+=\S+\s+)+/, ''))
      .filter((command) => command.startsWith('pnpm ') || command.startsWith('npm run '))
      .map((command) => command.replace(/^npm run /, 'pnpm '));
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const command of commands) {
      const name = command.split(/\s+/)[1]!;
      expect(pnpmBuiltins.has(name) || name in scripts, `"${command}": no root script "${name}"`).toBe(true);
    }
  });
});

describe('README quick start', () => {
  test('is two one-line commands, the first needing only npm, and CI runs exactly those', async () => {
    const text = await readFile(path.join(root, 'README.md'), 'utf8');
    const section = text.slice(
      text.indexOf('## Quick start'),
      text.indexOf('\n## ', text.indexOf('## Quick start') + 1),
    );
    const lines = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!.trim());
    expect(lines).toEqual(['npm run setup', 'pnpm test']);
    const { scripts } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    // pnpm may not exist yet on a fresh machine: the setup script is plain Node.
    expect(scripts.setup).toBe('node scripts/setup.mjs');
    expect(scripts.test).toContain('test:scripts');
    const ci = (await readFile(path.join(root, '.ci', 'run'), 'utf8')).split('\n');
    expect(ci.filter((line) => line.startsWith('npm run setup'))).toHaveLength(1);
    expect(ci).toContain('pnpm test');
  });
});
