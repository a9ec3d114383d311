#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Http } from '@asynchttp/core';
import createDebug from 'debug';
import { adapterNames, adapters } from './adapters.js';
import { JobError, type JobProgress, runJob } from './client.js';
import { describeFailure } from './failure.js';
import { startFleet } from './fleet.js';
import { formatComparison, formatSummary, type Summary, startProgress, summarize } from './report.js';
import { startTransitServer, type TransitServer } from './transit-server.js';

const usage = `Usage: asynchttp-sample [options]

Fetches transit agencies, their routes and every route's details through one asynchttp Http
with a worker limit, once per adapter, and prints a table of figures per adapter.

Options:
  --adapter NAME   ${adapterNames.join(', ')} or all (default: all, one after another)
  --workers N      requests running at once (default: 8)
  --requests N     cap on route-detail requests per adapter (default: every route)
  --base-url URL   a transit API serving /agencies.json, /agencies/<id>/routes.json and
                   /agencies/<id>/routes/<route>.json (default: an embedded server on 127.0.0.1)
  --redis URL      run the job through a local fleet over BullMQ and Redis (redis://...) instead
  --worker-processes N  worker processes of that fleet, started and stopped here (default: 3)
  --debug          turn on asynchttp's debug log (the debug package, namespace asynchttp)
  -h, --help       show this help`;

/** Bad input: reported as one line, exit code 2. */
class UsageError extends Error {}

interface Settings {
  adapters: string[];
  workers: number;
  requests: number;
  base: URL | undefined;
  debug: boolean;
  redis: string | undefined;
  processes: number;
}

function parse(argv: string[]): Settings | undefined {
  // `pnpm start -- --flag` may hand the `--` through; it means nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        adapter: { type: 'string', default: 'all' },
        workers: { type: 'string', default: '8' },
        requests: { type: 'string' },
        'base-url': { type: 'string' },
        redis: { type: 'string' },
        'worker-processes': { type: 'string', default: '3' },
        debug: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'([^']+)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(`unknown option ${option} (see --help)`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`unexpected argument ${option} (see --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
      const flag = option.split(' ', 1)[0]!;
      // parseArgs takes `--workers -3` for a flag missing its value; the user meant a negative number.
      const next = args[args.indexOf(flag) + 1];
      if (next !== undefined && /^-\d/.test(next)) positive(next, flag);
      if (message.includes('does not take')) throw new UsageError(`${flag} takes no value (see --help)`);
      throw new UsageError(`${flag} needs a value (see --help)`);
    }
    throw new UsageError(message.split('\n', 1)[0]!);
  }
  if (values.help) return undefined;
  const adapter = values.adapter as string;
  if (adapter !== 'all' && !(adapter in adapters)) {
    throw new UsageError(`unknown adapter "${adapter}": use ${adapterNames.join(', ')} or all`);
  }
  return {
    adapters: adapter === 'all' ? adapterNames : [adapter],
    workers: positive(values.workers as string, '--workers'),
    requests:
      values.requests === undefined
        ? Number.POSITIVE_INFINITY
        : positive(values.requests as string, '--requests'),
    base: values['base-url'] === undefined ? undefined : baseUrl(values['base-url'] as string),
    debug: values.debug === true,
    redis: values.redis === undefined ? undefined : redisUrl(values.redis as string),
    processes: positive(values['worker-processes'] as string, '--worker-processes'),
  };
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`${flag} must be a positive whole number, got "${text}"`);
  }
  return value;
}

function redisUrl(text: string): string {
  if (!/^rediss?:\/\/./.test(text)) throw new UsageError(`--redis must be a redis:// URL, got "${text}"`);
  return text;
}

function baseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--base-url must be an http(s) URL, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--base-url must be an http(s) URL, got "${text}"`);
  }
  // Resolved relative to a directory, so a base like http://host/api keeps its /api.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

async function run(settings: Settings): Promise<number> {
  if (settings.debug) createDebug.enable('asynchttp*');
  let server: TransitServer | undefined;
  let base = settings.base;
  if (base === undefined) {
    server = await startTransitServer();
    base = new URL(server.url);
  }
  const where = server === undefined ? String(base) : `${server.url} (embedded transit server)`;
  const out = process.stdout;
  // The debug log writes to stderr line by line; a redrawn bar would garble it.
  const tty = out.isTTY === true && !settings.debug;
  const summaries: Summary[] = [];
  let failed = 0;
  const fleet =
    settings.redis === undefined
      ? undefined
      : await startFleet(settings.redis, settings.processes, settings.workers).catch(async (error) => {
          await server?.close();
          throw new UsageError(`could not start the fleet: ${(error as Error).message}`);
        });
  // With --redis the same job runs once, through the fleet (its workers use undici).
  const names = fleet === undefined ? settings.adapters : [`bullmq (${settings.processes} worker processes)`];
  try {
    for (const name of names) {
      out.write(`${name}: ${settings.workers} workers against ${where}\n`);
      const http = new Http({
        adapter: fleet === undefined ? await adapters[name]!() : fleet.adapter(),
        maxWorkers: settings.workers,
        timeout: 10_000,
        // The job counts and reports each failure itself, in one line; asynchttp's own warnings
        // (printed by default) would say it twice. --debug turns the whole log on instead.
        ...(settings.debug ? {} : { logger: false as const }),
      });
      const progress: JobProgress = { issued: 0, done: 0, failed: 0 };
      const display = startProgress(name, http, progress, { tty, stream: out });
      let result: Awaited<ReturnType<typeof runJob>>;
      try {
        result = await runJob(http, { base, maxDetails: settings.requests, progress });
      } catch (error) {
        if (error instanceof JobError) {
          process.stderr.write(`asynchttp-sample: ${describeFailure(error.cause, base)}\n`);
          return 1;
        }
        throw error;
      } finally {
        display.stop();
        await http.close({ cancelPending: true });
      }
      const summary = summarize(name, settings.workers, result);
      summaries.push(summary);
      out.write(`${formatSummary(summary)}\n`);
      if (result.failed > 0) {
        failed += result.failed;
        process.stderr.write(
          `asynchttp-sample: ${name}: ${result.failed} of ${summary.requests} requests failed, first: ${result.failures[0]}\n`,
        );
      }
    }
  } finally {
    await fleet?.stop();
    await server?.close();
  }
  if (summaries.length > 1) out.write(`${formatComparison(summaries)}\n`);
  return failed > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  try {
    const settings = parse(argv);
    if (settings === undefined) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    return await run(settings);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`asynchttp-sample: ${error.message}\n`);
      return 2;
    }
    // Anything else is a bug in the sample; still one line, the stack only with --debug.
    process.stderr.write(
      `asynchttp-sample: unexpected failure: ${(error as Error)?.message ?? String(error)}\n`,
    );
    if (argv.includes('--debug')) process.stderr.write(`${(error as Error)?.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
