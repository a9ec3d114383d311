import { parseArgs } from 'node:util';
import type { Adapter, RateLimit } from '@asynchttp/core';
import type { FleetLimits } from './options.js';
import { startWorker } from './worker.js';

const usage = `Usage: asynchttp-worker --redis URL --queue NAME [options]
  --redis URL               redis:// URL of the queue's Redis (required)
  --queue NAME              queue name, shared with the callers' bullmqAdapter (required)
  --adapter NAME            undici (default), axios or fetch; its package must be installed
  --concurrency N           exchanges this process runs at once (default 16)
  --max-workers N           exchanges running at once in the whole fleet
  --rate N/MS               fleet-wide sliding window, repeatable (e.g. 100/1000)
  --per-origin-workers N    exchanges running at once per origin, fleet-wide
  --per-origin-rate N/MS    sliding window per origin, fleet-wide, repeatable
  --origin ORIGIN=N[,R/MS]  override for one origin (workers, then windows), repeatable
  --prefix PREFIX           Redis key prefix (default asynchttp)
Stops on SIGTERM or SIGINT after the running exchanges end.`;

/** Loads the named adapter package, which the worker's installation provides. */
async function loadAdapter(name: string): Promise<Adapter> {
  const factories: Record<string, [string, string]> = {
    undici: ['@asynchttp/undici', 'undiciAdapter'],
    axios: ['@asynchttp/axios', 'axiosAdapter'],
    fetch: ['@asynchttp/fetch', 'fetchAdapter'],
  };
  const entry = factories[name];
  if (entry === undefined) throw new TypeError(`--adapter must be undici, axios or fetch, got "${name}"`);
  const module = (await import(entry[0])) as Record<string, () => Adapter>;
  return module[entry[1]]!();
}

function rate(text: string, flag: string): RateLimit {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (match === null) throw new TypeError(`${flag} takes N/MS (e.g. 10/1000), got "${text}"`);
  return { limit: Number(match[1]), interval: Number(match[2]) };
}

function count(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new TypeError(`${flag} takes a positive integer, got "${text}"`);
  return Number(text);
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      redis: { type: 'string' },
      queue: { type: 'string' },
      adapter: { type: 'string', default: 'undici' },
      concurrency: { type: 'string' },
      'max-workers': { type: 'string' },
      rate: { type: 'string', multiple: true },
      'per-origin-workers': { type: 'string' },
      'per-origin-rate': { type: 'string', multiple: true },
      origin: { type: 'string', multiple: true },
      prefix: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values.redis === undefined || values.queue === undefined)
    throw new TypeError(`--redis and --queue are required\n${usage}`);
  const limits: FleetLimits = {
    maxWorkers: count(values['max-workers'], '--max-workers'),
    rateLimit: values.rate?.map((each) => rate(each, '--rate')),
  };
  const perWorkers = count(values['per-origin-workers'], '--per-origin-workers');
  const perRates = values['per-origin-rate']?.map((each) => rate(each, '--per-origin-rate'));
  if (perWorkers !== undefined || perRates !== undefined)
    limits.perOrigin = { maxWorkers: perWorkers, rateLimit: perRates };
  for (const each of values.origin ?? []) {
    const [origin, spec = ''] = each.split('=');
    const [workers, ...rates] = spec.split(',');
    limits.origins ??= {};
    limits.origins[origin!] = {
      maxWorkers: count(workers || undefined, '--origin'),
      rateLimit: rates.length > 0 ? rates.map((r) => rate(r, '--origin')) : undefined,
    };
  }
  const adapter = await loadAdapter(values.adapter!);
  const worker = await startWorker({
    connection: values.redis,
    queue: values.queue,
    prefix: values.prefix,
    adapter,
    concurrency: count(values.concurrency, '--concurrency'),
    limits,
  });
  console.log(`asynchttp-worker: pid ${process.pid} on queue "${values.queue}" (${adapter.name})`);
  const stop = async () => {
    await worker.close();
    await adapter.close?.();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
