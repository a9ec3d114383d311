import { Http } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';
import { Agent, request } from 'undici';
import type { Client } from './clients.js';
import { measure, median, type Sample } from './measure.js';
import type { MemorySample } from './memory.js';
import type { Target } from './report.js';
import { startServer } from './server.js';

/** The scheduler's part of the bench (issue 12): many origins with a per-origin limit, and a rate limit. */
export interface SchedulingPlan {
  /** Origins (server ports) and requests to each, issued interleaved (request k goes to origin k mod n). */
  origins: number;
  requestsPerOrigin: number;
  /** The client's `maxWorkers`, and the C of the raw undici loops. */
  concurrency: number;
  /** `perOrigin.maxWorkers` of the many-origins row, and the connections per origin of raw undici. */
  perOriginWorkers: number;
  rate: { limit: number; interval: number; requests: number };
}

/** The full run: 1 000 origins × 100 requests, and 1 000 req/s for 5 000 requests. */
export const fullScheduling: SchedulingPlan = {
  origins: 1_000,
  requestsPerOrigin: 100,
  concurrency: 64,
  perOriginWorkers: 2,
  rate: { limit: 1_000, interval: 1_000, requests: 5_000 },
};

/** The CI smoke run: the same code paths in about a second. */
export const quickScheduling: SchedulingPlan = {
  origins: 20,
  requestsPerOrigin: 10,
  concurrency: 16,
  perOriginWorkers: 2,
  rate: { limit: 100, interval: 100, requests: 300 },
};

/** One client over the origins: the medians of its rounds. */
export interface OriginsRow {
  client: string;
  origins: number;
  requests: number;
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
  rounds: Sample[];
}

/** The rate-limit row. */
export interface RateSample {
  limit: number;
  interval: number;
  requests: number;
  /**
   * The sustained rate after the first window: (N − limit) × 1000 / (last start − limit-th start), in
   * req/s. The first `limit` may start at once (or as fast as the workers go), so they are left out.
   */
  achievedPerSecond: number;
  /** From the first start to the `limit`-th, in ms: how the first window was spread. */
  firstWindowMs: number;
  /** N over the wall time of the run, in req/s (the first window's burst makes it higher). */
  wallPerSecond: number;
  /** Most starts seen (by a `started` listener) within any `interval`: at most `limit`. */
  maxInWindow: number;
}

export interface SchedulingResult {
  plan: SchedulingPlan;
  rows: OriginsRow[];
  rate: RateSample[];
}

const path = '/64b';
const bodyBytes = 64;

/** Request k goes to origin k mod n, so every origin has work from the start. */
function roundRobin(urls: readonly string[]): () => string {
  let next = 0;
  return () => urls[next++ % urls.length]!;
}

function undiciLoops(name: string, urls: readonly string[]): Client {
  return {
    name,
    mode: 'loops',
    open() {
      const dispatcher = new Agent();
      const url = roundRobin(urls);
      return {
        one: async () => (await (await request(url(), { dispatcher })).body.bytes()).byteLength,
        close: () => dispatcher.close(),
      };
    },
  };
}

function asynchttpAll(name: string, urls: readonly string[], perOriginWorkers?: number): Client {
  return {
    name,
    mode: 'all',
    open(_url, concurrency) {
      const http = new Http({
        adapter: undiciAdapter(),
        maxWorkers: concurrency,
        ...(perOriginWorkers === undefined ? {} : { perOrigin: { maxWorkers: perOriginWorkers } }),
      });
      const url = roundRobin(urls);
      return {
        one: async () => (await http.request(url())).content.byteLength,
        close: () => http.close(),
      };
    },
  };
}

/** The clients of the many-origins rows: each against one origin and against all of them. */
function originClients(origins: readonly string[], perOriginWorkers: number): Client[] {
  const one = [`${origins[0]}${path}`];
  const all = origins.map((origin) => origin + path);
  const n = origins.length.toLocaleString('en-US');
  return [
    undiciLoops('undici request, C loops, 1 origin', one),
    undiciLoops(`undici request, C loops, ${n} origins`, all),
    {
      name: `undici request, Agent({ connections: ${perOriginWorkers} }), all at once, ${n} origins`,
      mode: 'all',
      open() {
        const dispatcher = new Agent({ connections: perOriginWorkers });
        const url = roundRobin(all);
        return {
          one: async () => (await (await request(url(), { dispatcher })).body.bytes()).byteLength,
          close: () => dispatcher.close(),
        };
      },
    },
    asynchttpAll('asynchttp + undici, 1 origin', one),
    asynchttpAll(
      `asynchttp + undici, perOrigin: { maxWorkers: ${perOriginWorkers} }, ${n} origins`,
      all,
      perOriginWorkers,
    ),
  ];
}

/**
 * Requests to one origin and to many through the same clients, in rounds (each round starting one
 * client later), then the rate-limit row. The server child listens on `plan.origins` ports.
 */
export async function runScheduling(
  plan: SchedulingPlan,
  rounds: number,
  parts: { origins: boolean; rate: boolean },
): Promise<SchedulingResult> {
  const server = await startServer(30_000, parts.origins ? plan.origins : 1);
  try {
    const rate: RateSample[] = [];
    if (!parts.origins) {
      for (let round = 0; round < rounds; round++) rate.push(await measureRate(server.origin + path, plan));
      return { plan, rows: [], rate };
    }
    const chosen = originClients(server.origins, plan.perOriginWorkers);
    const requests = plan.origins * plan.requestsPerOrigin;
    const samples = new Map<Client, Sample[]>(chosen.map((client) => [client, []]));
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      for (let i = 0; i < chosen.length; i++) {
        const client = chosen[(i + round) % chosen.length]!;
        const sample = await measure(client, {
          url: server.origin + path,
          requests,
          concurrency: plan.concurrency,
          bodyBytes,
          // Two requests to every origin first: connections open before the clock starts.
          warmup: Math.max(2 * plan.origins, 500),
          timeoutMs: 300_000,
        });
        samples.get(client)!.push(sample);
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(`  ${plan.origins} origins: round ${round + 1}/${rounds} done in ${seconds} s\n`);
    }
    const rows = chosen.map((client) => {
      const runs = samples.get(client)!;
      const many = client.name.includes(' origins');
      return {
        client: client.name,
        origins: many ? plan.origins : 1,
        requests,
        requestsPerSecond: median(runs.map((s) => s.requestsPerSecond)),
        cpuMicrosPerRequest: median(runs.map((s) => s.cpuMicrosPerRequest)),
        rounds: runs,
      };
    });
    if (parts.rate) {
      for (let round = 0; round < rounds; round++) rate.push(await measureRate(server.origin + path, plan));
    }
    return { plan, rows, rate };
  } finally {
    await server.stop();
  }
}

/**
 * `rateLimit: { limit, interval }` against the fast server, C = `plan.concurrency`: warmed up without
 * the limit, then the limit is set and N requests are issued at once; a `started` listener notes when
 * each exchange began.
 */
async function measureRate(url: string, plan: SchedulingPlan): Promise<RateSample> {
  const { limit, interval, requests } = plan.rate;
  const http = new Http({ adapter: undiciAdapter(), maxWorkers: plan.concurrency });
  try {
    await Promise.all(Array.from({ length: 500 }, () => http.request(url)));
    const starts: number[] = [];
    http.on('started', () => starts.push(performance.now()));
    http.rateLimit = { limit, interval };
    const begin = performance.now();
    const done = await Promise.all(Array.from({ length: requests }, () => http.request(url)));
    const wallMs = performance.now() - begin;
    const bytes = done.reduce((sum, { content }) => sum + content.byteLength, 0);
    if (bytes !== requests * bodyBytes) throw new Error(`rate row read ${bytes} bytes`);
    let maxInWindow = 0;
    for (let first = 0, last = 0; last < starts.length; last++) {
      while (starts[last]! - starts[first]! >= interval) first++;
      maxInWindow = Math.max(maxInWindow, last - first + 1);
    }
    return {
      limit,
      interval,
      requests,
      achievedPerSecond: ((requests - limit) * 1000) / (starts.at(-1)! - starts[limit - 1]!),
      firstWindowMs: starts[limit - 1]! - starts[0]!,
      wallPerSecond: (requests * 1000) / wallMs,
      maxInWindow,
    };
  } finally {
    await http.close();
  }
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** The scheduling tables: clients over one origin and many, then the rate row. */
export function formatScheduling(result: SchedulingResult): string {
  const { plan, rows, rate } = result;
  const header = ['client', 'origins', 'req/s', 'CPU µs/req'];
  const cells = (row: OriginsRow) => [
    row.client,
    integer.format(row.origins),
    integer.format(row.requestsPerSecond),
    oneDecimal.format(row.cpuMicrosPerRequest),
  ];
  const widths = header.map((title) => title.length);
  for (const row of rows) {
    cells(row).forEach((cell, i) => {
      widths[i] = Math.max(widths[i]!, cell.length);
    });
  }
  const line = (values: string[]) =>
    values.map((value, i) => (i >= 1 ? value.padStart(widths[i]!) : value.padEnd(widths[i]!))).join('  ');
  const rounds = rows[0]?.rounds.length ?? 0;
  const best = medianRate(rate);
  const table =
    rows.length === 0
      ? []
      : [
          `Scheduling: 64 B, C = ${plan.concurrency}, N = ${integer.format(plan.origins * plan.requestsPerOrigin)} ` +
            `(${integer.format(plan.requestsPerOrigin)} per origin, interleaved), median of ${rounds} round${rounds > 1 ? 's' : ''}`,
          line(header),
          line(widths.map((width) => '-'.repeat(width))),
          ...rows.map((row) => line(cells(row))),
          '',
        ];
  return [
    ...table,
    best === undefined
      ? 'Rate limit: not measured'
      : `Rate limit: rateLimit { limit: ${integer.format(best.limit)}, interval: ${integer.format(best.interval)} }, ` +
        `C = ${plan.concurrency}, N = ${integer.format(best.requests)}: achieved ${oneDecimal.format(best.achievedPerSecond)} req/s ` +
        `after the first window (which took ${integer.format(best.firstWindowMs)} ms); N / wall time ${integer.format(best.wallPerSecond)} req/s; ` +
        `at most ${best.maxInWindow} starts seen in any ${integer.format(best.interval)} ms`,
  ].join('\n');
}

function medianRate(samples: readonly RateSample[]): RateSample | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a.achievedPerSecond - b.achievedPerSecond);
  return sorted[(sorted.length - 1) >> 1];
}

/** Issue 12's targets, measured (never asserted). */
export function schedulingTargets(
  result: SchedulingResult | undefined,
  memory: readonly MemorySample[],
): Target[] {
  const out: Target[] = [];
  if (result === undefined) {
    out.push({ name: 'scheduling', status: 'SKIP', detail: 'scheduling rows not measured' });
  } else {
    const { plan, rows } = result;
    const one = rows.find((row) => row.client === 'asynchttp + undici, 1 origin');
    const many = rows.find((row) => row.client.startsWith('asynchttp + undici, perOrigin'));
    const rawOne = rows.find((row) => row.client === 'undici request, C loops, 1 origin');
    const rawMany = rows.find((row) => row.client.startsWith('undici request, C loops') && row.origins > 1);
    if (one !== undefined && many !== undefined && rawOne !== undefined && rawMany !== undefined) {
      const times = many.cpuMicrosPerRequest / one.cpuMicrosPerRequest;
      const added = (row: OriginsRow, raw: OriginsRow) => {
        const delta = row.cpuMicrosPerRequest - raw.cpuMicrosPerRequest;
        return `${delta >= 0 ? '+' : '−'}${oneDecimal.format(Math.abs(delta))}`;
      };
      out.push({
        name: `CPU per request, ${integer.format(plan.origins)} origins with perOrigin ≤ 2 × one origin`,
        status: times <= 2 ? 'PASS' : 'MISS',
        detail:
          `${oneDecimal.format(many.cpuMicrosPerRequest)} / ${oneDecimal.format(one.cpuMicrosPerRequest)} µs = ` +
          `${times.toFixed(2)}× (over raw undici C loops on the same origins: ${added(many, rawMany)} µs ` +
          `vs ${added(one, rawOne)} µs on one)`,
      });
    }
    const rate = medianRate(result.rate);
    if (rate !== undefined) {
      // A limiter that starts exactly `limit` per `interval` scores the target; 0.1 % over is clock noise.
      const target = (rate.limit * 1000) / rate.interval;
      const low = target * 0.95;
      out.push({
        name: `rateLimit ${integer.format(rate.limit)}/${integer.format(rate.interval)} ms gives ${integer.format(low)}–${integer.format(target)} req/s`,
        status: rate.achievedPerSecond >= low && rate.achievedPerSecond <= target * 1.001 ? 'PASS' : 'MISS',
        detail: `${oneDecimal.format(rate.achievedPerSecond)} req/s achieved, at most ${rate.maxInWindow} starts in any window`,
      });
    }
  }
  const queued = memory.find((sample) => sample.kind.includes('origins'));
  if (queued !== undefined) {
    out.push({
      name: 'heap per queued request across many origins ≤ 600 B',
      status: queued.heapBytesPerRequest <= 600 ? 'PASS' : 'MISS',
      detail: `${integer.format(queued.heapBytesPerRequest)} B (${queued.kind}, N = ${integer.format(queued.requests)})`,
    });
  }
  return out;
}
