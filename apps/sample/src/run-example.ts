#!/usr/bin/env node
import { readdirSync } from 'node:fs';
import { startTransitServer, type TransitServer } from './transit-server.js';

/**
 * Runs one of the examples in the repository's examples/ folder (built into dist/examples) against a
 * transit API: the URL given after the name, else `TRANSIT_URL`, else an embedded server started here
 * and stopped afterwards. An example that exports `usage` takes its own arguments instead (`download
 * <url> <file>`), and no server is started for it.
 */
const folder = new URL('./examples/', import.meta.url);
const names = readdirSync(folder)
  .filter((file) => file.endsWith('.js'))
  .map((file) => file.slice(0, -3))
  .sort();
const usage = `usage: pnpm example <name> [base-url]; examples: ${names.join(', ')}`;

interface Example {
  /** Set by an example that takes its own arguments, such as `'<url> <file>'`. */
  usage?: string;
  main(baseUrlOrArgs: string | string[]): Promise<void>;
}

async function run(argv: string[]): Promise<number> {
  // pnpm passes a `--` through (`pnpm example download -- <url> <file>`): it separates nothing here.
  const args = argv.filter((arg) => arg !== '--');
  const [name, url = process.env.TRANSIT_URL, ...rest] = args;
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  if (!names.includes(name)) {
    process.stderr.write(`unknown example "${name}"; ${usage}\n`);
    return 2;
  }
  // Errors thrown by an example then point at its TypeScript lines, as they do in the callback example.
  process.setSourceMapsEnabled(true);
  const example = (await import(new URL(`${name}.js`, folder).href)) as Example;
  if (example.usage !== undefined) return runOwn(name, example, args.slice(1));
  if (rest.length > 0) {
    process.stderr.write(`unexpected argument "${rest[0]}"; ${usage}\n`);
    return 2;
  }
  if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) {
    process.stderr.write(`the transit API must be an http(s) URL, got "${url}"\n`);
    return 2;
  }
  let server: TransitServer | undefined;
  if (url === undefined) server = await startTransitServer();
  const base = server?.url ?? (url!.endsWith('/') ? url! : `${url}/`);
  process.stdout.write(`example ${name} against ${base}${server === undefined ? '' : ' (embedded)'}\n`);
  try {
    await example.main(base);
    return 0;
  } catch (error) {
    const { name: kind, message } = error as Error;
    process.stderr.write(`example ${name} failed: ${kind}: ${String(message).split('\n', 1)[0]}\n`);
    return 1;
  } finally {
    await server?.close();
  }
}

/** An example with arguments of its own: a wrong count is a usage error, a failure one line. */
async function runOwn(name: string, example: Example, args: string[]): Promise<number> {
  const expected = example.usage!.split(' ').filter((word) => word !== '').length;
  if (args.length !== expected) {
    process.stderr.write(`usage: pnpm example ${name} -- ${example.usage}\n`);
    return 2;
  }
  try {
    await example.main(args);
    return 0;
  } catch (error) {
    const { name: kind, message } = error as Error;
    process.stderr.write(`example ${name} failed: ${kind}: ${String(message).split('\n', 1)[0]}\n`);
    return 1;
  }
}

process.exitCode = await run(process.argv.slice(2));
