// The threads scenario (issue 13): callbacks that parse a 1 MiB JSON body, on the main thread against
// in a ThreadPool, and a trivial callback on a 1 KiB body the same two ways. Each measurement: one Http
// (asynchttp + undici, maxWorkers C) driven by C loops, an untimed warm-up, then N requests timed, with
// the event loop's delay recorded by monitorEventLoopDelay. Variants alternate order round by round.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type Callback, Content, Http } from '@asynchttp/core';
import { ThreadPool } from '@asynchttp/core/threads';
import { undiciAdapter } from '@asynchttp/undici';
import { median } from './measure.js';
import type { Target } from './report.js';
import type { BenchServer } from './server.js';
import { makeJson } from './server.js';
import { parseAndWalk, trivial } from './thread-callbacks.js';

export interface ThreadsSettings {
  /** N for the 1 MiB parse-and-walk rows. */
  requests: number;
  /** N for the 1 KiB trivial rows. */
  trivialRequests: number;
  concurrency: number;
  rounds: number;
  /** The pool's maxThreads. */
  maxThreads: number;
}

export const fullThreads: ThreadsSettings = {
  requests: 2_000,
  trivialRequests: 2_000,
  concurrency: 16,
  rounds: 3,
  maxThreads: 2,
};

export const quickThreads: ThreadsSettings = {
  requests: 48,
  trivialRequests: 200,
  concurrency: 16,
  rounds: 1,
  maxThreads: 2,
};

type Where = 'main thread' | 'pool';

export interface ThreadsRound {
  requestsPerSecond: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuMicrosPerRequest: number;
}

export interface ThreadsRow {
  body: '1 MiB' | '1 KiB';
  callback: 'parseAndWalk' | 'trivial';
  where: Where;
  requests: number;
  requestsPerSecond: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuMicrosPerRequest: number;
  rounds: ThreadsRound[];
}

export interface ThreadsResult {
  settings: ThreadsSettings;
  /** CPU of one parseAndWalk on the 1 MiB body, on the main thread, in ms (median of 20). */
  callbackMs: number;
  /** Handing a 1 MiB body to a thread, per body: a structured clone against a copy then a transfer. */
  handOff: { cloneMicros: number; copyAndTransferMicros: number };
  rows: ThreadsRow[];
}

const callbacksModule = new URL('./thread-callbacks.js', import.meta.url);

async function measureOnce(
  url: string,
  where: Where,
  name: 'parseAndWalk' | 'trivial',
  requests: number,
  settings: ThreadsSettings,
): Promise<ThreadsRound> {
  const pool = where === 'pool' ? new ThreadPool({ maxThreads: settings.maxThreads }) : undefined;
  const callback: Callback<unknown> =
    pool === undefined
      ? name === 'parseAndWalk'
        ? parseAndWalk
        : trivial
      : pool.callback(callbacksModule, name);
  const http = new Http({ adapter: undiciAdapter(), maxWorkers: settings.concurrency });
  const run = async (count: number) => {
    let left = count;
    const loop = async () => {
      while (left > 0) {
        left--;
        await http.request(url, { callback }).data;
      }
    };
    await Promise.all(Array.from({ length: settings.concurrency }, loop));
  };
  try {
    // Warm-up: connections open, threads started and the module loaded, JIT warm.
    await run(Math.min(requests, 4 * settings.concurrency));
    (globalThis as { gc?: () => void }).gc?.();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await run(requests);
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    delay.disable();
    return {
      requestsPerSecond: (requests * 1000) / wall,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
      // The whole process: with the pool, the threads' CPU is in it too.
      cpuMicrosPerRequest: (used.user + used.system) / requests,
    };
  } finally {
    await http.close();
    await pool?.close();
  }
}

/** µs per call of `fn`, median of `times` calls. */
function timeIt(times: number, fn: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    fn();
    samples.push((performance.now() - started) * 1000);
  }
  return median(samples);
}

export async function runThreadsScenario(
  server: BenchServer,
  settings: ThreadsSettings,
): Promise<ThreadsResult> {
  const big = new TextEncoder().encode(makeJson(1024 * 1024));
  const content = new Content(big, 'application/json');
  parseAndWalk({ content });
  const callbackMs = timeIt(20, () => parseAndWalk({ content })) / 1000;
  const handOff = {
    cloneMicros: timeIt(50, () => structuredClone(big)),
    copyAndTransferMicros: timeIt(50, () => {
      const copy = new ArrayBuffer(big.byteLength);
      new Uint8Array(copy).set(big);
      structuredClone(copy, { transfer: [copy] });
    }),
  };

  const plans = [
    { body: '1 MiB', callback: 'parseAndWalk', path: '/json-1m', requests: settings.requests },
    { body: '1 KiB', callback: 'trivial', path: '/json-1k', requests: settings.trivialRequests },
  ] as const;
  const rows: ThreadsRow[] = [];
  for (const plan of plans) {
    const samples: Record<Where, ThreadsRound[]> = { 'main thread': [], pool: [] };
    for (let round = 0; round < settings.rounds; round++) {
      const order: Where[] = round % 2 === 0 ? ['main thread', 'pool'] : ['pool', 'main thread'];
      for (const where of order) {
        samples[where].push(
          await measureOnce(server.origin + plan.path, where, plan.callback, plan.requests, settings),
        );
      }
      process.stderr.write(
        `  threads, ${plan.body} ${plan.callback}: round ${round + 1}/${settings.rounds} done\n`,
      );
    }
    for (const where of ['main thread', 'pool'] as const) {
      const runs = samples[where];
      rows.push({
        body: plan.body,
        callback: plan.callback,
        where,
        requests: plan.requests,
        requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
        loopDelayP99Ms: median(runs.map((r) => r.loopDelayP99Ms)),
        loopDelayMaxMs: median(runs.map((r) => r.loopDelayMaxMs)),
        cpuMicrosPerRequest: median(runs.map((r) => r.cpuMicrosPerRequest)),
        rounds: runs,
      });
    }
  }
  return { settings, callbackMs, handOff, rows };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatThreads(result: ThreadsResult): string {
  const { settings } = result;
  const header = ['body', 'callback', 'where', 'N', 'req/s', 'CPU µs/req', 'loop p99 ms', 'loop max ms'];
  const lines = result.rows.map((row) => [
    row.body,
    row.callback,
    row.where === 'pool' ? `pool (maxThreads ${settings.maxThreads})` : row.where,
    integer.format(row.requests),
    integer.format(row.requestsPerSecond),
    integer.format(row.cpuMicrosPerRequest),
    oneDecimal.format(row.loopDelayP99Ms),
    oneDecimal.format(row.loopDelayMaxMs),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [
    `Callbacks in worker threads: asynchttp + undici, C = ${settings.concurrency} (C loops), median of ${settings.rounds} round(s)`,
    `parseAndWalk on the 1 MiB body: ${oneDecimal.format(result.callbackMs)} ms of CPU on the main thread; ` +
      `handing 1 MiB to a thread: structured clone ${integer.format(result.handOff.cloneMicros)} µs, ` +
      `copy + transfer ${integer.format(result.handOff.copyAndTransferMicros)} µs`,
    format(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...lines.map(format),
  ].join('\n');
}

export function threadsTargets(result: ThreadsResult): Target[] {
  const find = (body: string, where: Where) => result.rows.find((r) => r.body === body && r.where === where);
  const out: Target[] = [];
  const heavyMain = find('1 MiB', 'main thread');
  const heavyPool = find('1 MiB', 'pool');
  const lightMain = find('1 KiB', 'main thread');
  const lightPool = find('1 KiB', 'pool');
  if (
    heavyMain === undefined ||
    heavyPool === undefined ||
    lightMain === undefined ||
    lightPool === undefined
  ) {
    return [{ name: 'threads', status: 'SKIP', detail: 'threads scenario not measured' }];
  }
  out.push({
    name: 'threads: pool event-loop delay p99 ≤ 20 ms (1 MiB parse)',
    status: heavyPool.loopDelayP99Ms <= 20 ? 'PASS' : 'MISS',
    detail: `${oneDecimal.format(heavyPool.loopDelayP99Ms)} ms`,
  });
  out.push({
    name: 'threads: main-thread event-loop delay p99 ≥ 100 ms (expected, the contrast)',
    status: heavyMain.loopDelayP99Ms >= 100 ? 'PASS' : 'MISS',
    detail: `${oneDecimal.format(heavyMain.loopDelayP99Ms)} ms`,
  });
  const heavy = heavyPool.requestsPerSecond / heavyMain.requestsPerSecond;
  out.push({
    name: 'threads: pool / main throughput ≥ 1.3 (1 MiB parse)',
    status: heavy >= 1.3 ? 'PASS' : 'MISS',
    detail: `${integer.format(heavyPool.requestsPerSecond)} / ${integer.format(heavyMain.requestsPerSecond)} req/s = ${heavy.toFixed(2)}`,
  });
  const light = lightPool.requestsPerSecond / lightMain.requestsPerSecond;
  out.push({
    name: 'threads: pool / main throughput ≥ 0.8 (1 KiB trivial)',
    status: light >= 0.8 ? 'PASS' : 'MISS',
    detail: `${integer.format(lightPool.requestsPerSecond)} / ${integer.format(lightMain.requestsPerSecond)} req/s = ${light.toFixed(2)}`,
  });
  return out;
}
