#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Http, type RateLimit } from '@asynchttp/core';
import { ThreadPool } from '@asynchttp/core/threads';
import createDebug from 'debug';
import { adapterNames, adapters } from './adapters.js';
import { JobError, runJob } from './client.js';
import { mainThreadParsers, poolParsers } from './domain.js';
import { describeFailure } from './failure.js';
import { startFleet } from './fleet.js';
import { RunRecorder } from './recorder.js';
import {
  formatComparison,
  formatSummary,
  type Limits,
  type Summary,
  startProgress,
  summarize,
} from './report.js';
import { startTransitServer, type TransitServer } from './transit-server.js';

const usage = `Usage: asynchttp-sample [options]

Fetches transit agencies, their routes and every route's details through one asynchttp Http
with a worker limit, once per adapter, and prints a table of figures per adapter.

Options:
  --adapter NAME   ${adapterNames.join(', ')} or all (default: all, one after another)
  --workers N      requests running at once (default: 8)
  --per-origin-workers N
                   requests running at once per origin (perOrigin.maxWorkers; default: no limit)
  --rate N/TIME    at most N requests start within any TIME (the client's rateLimit, a sliding
                   window); TIME is a number with ms, s, m or h, the number 1 if left out:
                   50/1s, 50/s, 200/500ms, 5000/1h. Repeat it for several windows (all hold)
  --requests N     cap on route-detail requests per adapter (default: every route)
  --threads N|off  parse the answers in a pool of N worker threads, off to parse them on the main
                   thread (default: ${defaultThreads() || 'off'} here; 1 when the machine has more than one core,
                   off on one core)
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
  perOriginWorkers: number | undefined;
  /** `--rate` as given, and parsed. */
  rates: string[];
  rateLimit: RateLimit[];
  requests: number;
  /** Threads of the parsing pool; 0 parses on the main thread. */
  threads: number;
  base: URL | undefined;
  debug: boolean;
  redis: string | undefined;
  processes: number;
}

function parse(argv: string[]): Settings | undefined {
  // `pnpm start -- --flag` may hand the `--` through; it means nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        adapter: { type: 'string', default: 'all' },
        workers: { type: 'string', default: '8' },
        'per-origin-workers': { type: 'string' },
        rate: { type: 'string', multiple: true },
        requests: { type: 'string' },
        threads: { type: 'string' },
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
      if (next !== undefined && /^-\d/.test(next))
        positive(next, flag, flag === '--threads' ? ' or off' : '');
      if (message.includes('does not take')) throw new UsageError(`${flag} takes no value (see --help)`);
      throw new UsageError(`${flag} needs a value (see --help)`);
    }
    throw new UsageError(message.split('\n', 1)[0]!);
  }
  if (values.help) return undefined;
  const rates = (values.rate as string[] | undefined) ?? [];
  const adapter = values.adapter as string;
  if (adapter !== 'all' && !(adapter in adapters)) {
    throw new UsageError(`unknown adapter "${adapter}": use ${adapterNames.join(', ')} or all`);
  }
  return {
    adapters: adapter === 'all' ? adapterNames : [adapter],
    workers: positive(values.workers as string, '--workers'),
    perOriginWorkers:
      values['per-origin-workers'] === undefined
        ? undefined
        : positive(values['per-origin-workers'] as string, '--per-origin-workers'),
    rates,
    rateLimit: rates.map(rate),
    requests:
      values.requests === undefined
        ? Number.POSITIVE_INFINITY
        : positive(values.requests as string, '--requests'),
    threads:
      values.threads === undefined
        ? defaultThreads()
        : values.threads === 'off'
          ? 0
          : positive(values.threads as string, '--threads', ' or off'),
    base: values['base-url'] === undefined ? undefined : baseUrl(values['base-url'] as string),
    debug: values.debug === true,
    redis: values.redis === undefined ? undefined : redisUrl(values.redis as string),
    processes: positive(values['worker-processes'] as string, '--worker-processes'),
  };
}

function positive(text: string, flag: string, or = ''): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`${flag} must be a positive whole number${or}, got "${text}"`);
  }
  return value;
}

/**
 * One parsing thread when there is a core to spare: the main thread keeps a core for sockets, timers and
 * the progress display while the thread parses. On one core a thread only adds the cost of the copy.
 */
function defaultThreads(): number {
  return availableParallelism() > 1 ? 1 : 0;
}

function redisUrl(text: string): string {
  if (!/^rediss?:\/\/./.test(text)) throw new UsageError(`--redis must be a redis:// URL, got "${text}"`);
  return text;
}

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `--rate N/TIME` (`50/1s`, `50/s`, `200/500ms`, `5000/1h`) as a `RateLimit`. */
function rate(text: string): RateLimit {
  const parts = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h)\s*$/.exec(text);
  if (parts === null) {
    throw new UsageError(`--rate takes N/TIME such as 50/1s, 50/s or 200/500ms, got "${text}"`);
  }
  const limit = Number(parts[1]);
  const interval = Number(parts[2] ?? '1') * units[parts[3]!]!;
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new UsageError(`--rate needs a positive whole number of requests, got "${text}"`);
  }
  if (!(interval > 0) || !Number.isFinite(interval)) {
    throw new UsageError(`--rate needs a time above zero, got "${text}"`);
  }
  return { limit, interval };
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
  const limits: Limits = {
    workers: settings.workers,
    perOriginWorkers: settings.perOriginWorkers,
    rates: settings.rates.map((text) => text.trim()),
  };
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
  const pool = settings.threads > 0 ? new ThreadPool({ maxThreads: settings.threads }) : undefined;
  const parsers = pool === undefined ? mainThreadParsers : poolParsers(pool);
  const parsing = pool === undefined ? 'on the main thread' : `in ${settings.threads} thread(s)`;
  try {
    for (const name of names) {
      out.write(`${name}: ${describeLimits(limits)} against ${where}, parsing ${parsing}\n`);
      const http = new Http({
        adapter: fleet === undefined ? await adapters[name]!() : fleet.adapter(),
        maxWorkers: settings.workers,
        ...(settings.perOriginWorkers === undefined
          ? {}
          : { perOrigin: { maxWorkers: settings.perOriginWorkers } }),
        ...(settings.rateLimit.length === 0 ? {} : { rateLimit: settings.rateLimit }),
        timeout: 10_000,
        // The job counts and reports each failure itself, in one line; asynchttp's own warnings
        // (printed by default) would say it twice. --debug turns the whole log on instead.
        ...(settings.debug ? {} : { logger: false as const }),
      });
      const recorder = new RunRecorder(http, base);
      const display = startProgress(name, http, { tty, stream: out });
      let result: Awaited<ReturnType<typeof runJob>>;
      // How long the event loop was held up while the job ran: what parsing on the main thread costs.
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      try {
        result = await runJob(http, { base, maxDetails: settings.requests, parsers });
      } catch (error) {
        if (error instanceof JobError) {
          process.stderr.write(`asynchttp-sample: ${describeFailure(error.cause, base)}\n`);
          return 1;
        }
        throw error;
      } finally {
        loopDelay.disable();
        display.stop();
        await http.close({ cancelPending: true });
        recorder.stop();
      }
      const { recording } = recorder;
      const summary = summarize(name, limits, result, recording, {
        threads: settings.threads,
        loopDelayP99: loopDelay.percentile(99) / 1e6,
      });
      summaries.push(summary);
      out.write(`${formatSummary(summary)}\n`);
      if (recording.failed > 0) {
        failed += recording.failed;
        process.stderr.write(
          `asynchttp-sample: ${name}: ${recording.failed} of ${summary.requests} requests failed, first: ${recording.failures[0]}\n`,
        );
      }
    }
  } finally {
    await pool?.close();
    await fleet?.stop();
    await server?.close();
  }
  if (summaries.length > 1) out.write(`${formatComparison(summaries)}\n`);
  return failed > 0 ? 1 : 0;
}

/** `8 workers, 2 per origin, at most 50/1s`: the header line of a run. */
function describeLimits(limits: Limits): string {
  let text = `${limits.workers} workers`;
  if (limits.perOriginWorkers !== undefined) text += `, ${limits.perOriginWorkers} per origin`;
  if (limits.rates.length > 0) text += `, at most ${limits.rates.join(' and ')}`;
  return text;
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
