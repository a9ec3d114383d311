import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname } from 'node:path';
import type { Mode } from './clients.js';
import type { Sample } from './measure.js';
import type { MemorySample } from './memory.js';
import type { VariantName } from './server.js';

/** One client in one scenario: the medians of its rounds. */
export interface Row {
  scenario: string;
  variant: VariantName;
  concurrency: number;
  requests: number;
  client: string;
  mode: Mode;
  baseline: boolean;
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
  p50Micros: number;
  p99Micros: number;
  /** requests/s over raw undici C-loops' requests/s, in the same scenario of the same run. */
  ratio: number;
  rounds: Sample[];
}

export interface Target {
  name: string;
  status: 'PASS' | 'MISS' | 'SKIP';
  detail: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  date: string;
  command: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    command: [process.argv0, ...process.execArgv, ...process.argv.slice(1)]
      .map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part))
      .join(' '),
  };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The throughput table, one block per scenario; `all` rows carry a mark on their latencies. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['client', 'mode', 'req/s', 'vs undici', 'CPU µs/req', 'p50 µs', 'p99 µs'];
  const cells = (row: Row) => [
    row.client,
    row.mode === 'loops' ? 'C loops' : 'all at once',
    integer.format(row.requestsPerSecond),
    row.ratio.toFixed(2),
    oneDecimal.format(row.cpuMicrosPerRequest),
    integer.format(row.p50Micros) + (row.mode === 'all' ? '*' : ' '),
    integer.format(row.p99Micros) + (row.mode === 'all' ? '*' : ' '),
  ];
  const widths = header.map((title) => title.length);
  for (const row of rows) {
    cells(row).forEach((cell, i) => {
      widths[i] = Math.max(widths[i]!, cell.length);
    });
  }
  const line = (values: string[]) => values.map((value, i) => pad(value, widths[i]!, i >= 2)).join('  ');
  const out: string[] = [];
  let scenario = '';
  for (const row of rows) {
    if (row.scenario !== scenario) {
      scenario = row.scenario;
      if (out.length > 0) out.push('');
      const rounds = row.rounds.length;
      out.push(
        `${scenario}: N = ${integer.format(row.requests)}, median of ${rounds} round${rounds > 1 ? 's' : ''}`,
      );
      out.push(line(header));
      out.push(line(widths.map((width) => '-'.repeat(width))));
    }
    out.push(line(cells(row)));
  }
  out.push('');
  out.push('* all N issued at once: latency includes the wait in the client’s queue.');
  out.push('vs undici: requests/s over raw undici request() in C loops, same scenario, same run.');
  return out.join('\n');
}

export function formatMemory(samples: readonly MemorySample[]): string {
  const header = ['queued into', 'N', 'heap B/request', 'wall ns/call', 'CPU ns/call'];
  const cells = (sample: MemorySample) => [
    sample.kind,
    integer.format(sample.requests),
    integer.format(sample.heapBytesPerRequest),
    integer.format(sample.nanosPerCall),
    integer.format(sample.cpuNanosPerCall),
  ];
  const widths = header.map((title) => title.length);
  for (const sample of samples) {
    cells(sample).forEach((cell, i) => {
      widths[i] = Math.max(widths[i]!, cell.length);
    });
  }
  const line = (values: string[]) => values.map((value, i) => pad(value, widths[i]!, i >= 1)).join('  ');
  return [
    'Memory: requests that never complete, queued behind one busy worker (a fresh process each)',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...samples.map((sample) => line(cells(sample))),
    'CPU ns/call counts GC helper threads too; wall ns/call also counts time other processes took.',
  ].join('\n');
}

function find(
  rows: readonly Row[],
  client: string,
  variant: VariantName,
  concurrency: number,
): Row | undefined {
  return rows.find(
    (row) => row.client === client && row.variant === variant && row.concurrency === concurrency,
  );
}

/**
 * Issue 7's targets, measured (never asserted). Throughput targets are read at C = 64 with the 64 B body,
 * or at the largest C measured with it (the quick run has C = 16 only), and say which.
 */
export function targets(rows: readonly Row[], memory: readonly MemorySample[]): Target[] {
  const out: Target[] = [];
  const small = rows.filter((row) => row.variant === 'small');
  if (small.length === 0) {
    out.push({ name: 'throughput', status: 'SKIP', detail: 'no 64 B throughput rows measured' });
  }
  const concurrency = small.some((row) => row.concurrency === 64)
    ? 64
    : Math.max(...small.map((row) => row.concurrency));
  const at = `64 B, C = ${concurrency}`;
  const get = (client: string, c = concurrency) => find(rows, client, 'small', c);
  const ratio = (name: string, client: string, peer: string, minimum: number) => {
    if (small.length === 0) return;
    const row = get(client);
    const base = get(peer);
    if (row === undefined || base === undefined) {
      out.push({ name, status: 'SKIP', detail: `${client} or ${peer} not measured at ${at}` });
      return;
    }
    const value = row.requestsPerSecond / base.requestsPerSecond;
    out.push({
      name,
      status: value >= minimum ? 'PASS' : 'MISS',
      detail:
        `${integer.format(row.requestsPerSecond)} / ${integer.format(base.requestsPerSecond)} req/s = ` +
        `${value.toFixed(3)} (target ≥ ${minimum.toFixed(2)}, ${at})`,
    });
  };

  ratio('asynchttp + undici ≥ 0.90 × raw undici C-loops', 'asynchttp + undici', 'undici request', 0.9);
  ratio(
    'asynchttp + undici faster than raw undici all at once',
    'asynchttp + undici',
    'undici request, Agent({ connections: C })',
    1,
  );
  ratio('asynchttp + fetch ≥ 0.95 × raw fetch', 'asynchttp + fetch', 'fetch', 0.95);
  ratio('asynchttp + axios ≥ 0.95 × raw axios', 'asynchttp + axios', 'axios (keep-alive agent)', 0.95);

  // Latency is compared loop against loop: an all-at-once p50 is mostly time spent in the queue.
  const latencyName = 'asynchttp + undici (C loops) p50 at C = 1 within 20 µs of raw undici';
  const single = get('asynchttp + undici, C loops', 1);
  const singleBase = get('undici request', 1);
  if (single === undefined || singleBase === undefined) {
    out.push({ name: latencyName, status: 'SKIP', detail: 'C = 1 with the 64 B body not measured' });
  } else {
    const added = single.p50Micros - singleBase.p50Micros;
    out.push({
      name: latencyName,
      status: added <= 20 ? 'PASS' : 'MISS',
      detail: `${oneDecimal.format(single.p50Micros)} − ${oneDecimal.format(singleBase.p50Micros)} µs = ${oneDecimal.format(added)} µs added (target ≤ 20)`,
    });
  }

  const queued = memory.find((sample) => sample.kind === 'asynchttp');
  const pQueue = memory.find((sample) => sample.kind === 'p-queue add()');
  if (queued === undefined || pQueue === undefined) {
    out.push({ name: 'memory', status: 'SKIP', detail: 'memory not measured' });
  } else {
    out.push({
      name: 'heap per queued request ≤ 600 B',
      status: queued.heapBytesPerRequest <= 600 ? 'PASS' : 'MISS',
      detail: `${integer.format(queued.heapBytesPerRequest)} B (default options, N = ${integer.format(queued.requests)})`,
    });
    // CPU time, not wall time: on a shared machine the wall clock also counts other processes.
    const times = queued.cpuNanosPerCall / pQueue.cpuNanosPerCall;
    const wall = queued.nanosPerCall / pQueue.nanosPerCall;
    out.push({
      name: 'request() ≤ 2 × p-queue add() per call',
      status: times <= 2 ? 'PASS' : 'MISS',
      detail:
        `${integer.format(queued.cpuNanosPerCall)} / ${integer.format(pQueue.cpuNanosPerCall)} CPU ns = ` +
        `${times.toFixed(2)}× (wall: ${wall.toFixed(2)}×)`,
    });
  }
  return out;
}

export function formatTargets(list: readonly Target[]): string {
  return [
    'Targets (measured, not asserted):',
    ...list.map((t) => `${t.status}  ${t.name}: ${t.detail}`),
  ].join('\n');
}

export function writeJson(
  path: string,
  content: {
    machine: Machine;
    settings: unknown;
    rows: Row[];
    scheduling?: unknown;
    memory: MemorySample[];
    targets: Target[];
  },
): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
}
