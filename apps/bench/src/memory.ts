import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Adapter, Http } from '@asynchttp/core';
import PQueue from 'p-queue';

/**
 * What is queued: asynchttp requests (default options, or without call-site capture, or spread over
 * 1 000 origins with a per-origin limit) or p-queue tasks.
 */
export const memoryKinds = [
  'asynchttp',
  'asynchttp, captureCallSite: false',
  'asynchttp, 1,000 origins, perOrigin: { maxWorkers: 2 }',
  'p-queue add()',
] as const;

/** Requests the many-origins kind queues at most (100 per origin): the figure issue 12 asks for. */
export const originsMemoryRequests = 100_000;
const memoryOrigins = 1_000;
export type MemoryKind = (typeof memoryKinds)[number];

export interface MemorySample {
  kind: MemoryKind;
  requests: number;
  /** heapUsed after minus before (both after full GCs), per queued request. */
  heapBytesPerRequest: number;
  /** Wall time of the queueing loop per call (`request()` or `add()`), in ns, GC pauses included. */
  nanosPerCall: number;
  /** Process CPU time (user + system, GC threads included) of the same loop per call, in ns. */
  cpuNanosPerCall: number;
}

type Gc = () => void;

/**
 * Queues `requests` requests that never complete, in a fresh child process (so heaps never mix), and
 * reports the heap they hold and the time each call took. The child is killed past `timeoutMs`.
 */
export function measureMemory(
  kind: MemoryKind,
  requests: number,
  timeoutMs = 120_000,
): Promise<MemorySample> {
  const child = fork(fileURLToPath(import.meta.url), ['--queue', kind, String(requests)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return new Promise<MemorySample>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`memory measurement "${kind}" did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('message', (sample: MemorySample) => {
      clearTimeout(timer);
      resolve(sample);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`memory measurement "${kind}" exited without a result (code ${code}, signal ${signal})`),
      );
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).finally(() => {
    kill();
    process.removeListener('exit', kill);
  });
}

/** A transport that takes a request and never answers. */
const neverAdapter: Adapter = {
  name: 'never',
  send: () => new Promise(() => {}),
};

function never(): Promise<void> {
  return new Promise(() => {});
}

/** The child's side: queue N never-finishing requests, measure, report over IPC, exit. */
function queue(kind: MemoryKind, requests: number): void {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const url = 'http://127.0.0.1:9/never';
  let add: () => unknown;
  // The queue itself must stay reachable to the end: a p-queue's waiting tasks are held by the queue,
  // not by the promises add() returns, so a collected queue would hide what it costs.
  let owner: unknown;
  let afterWarmup = () => {};
  if (kind === 'p-queue add()') {
    const pQueue = new PQueue({ concurrency: 1 });
    owner = pQueue;
    add = () => pQueue.add(never);
  } else if (kind === 'asynchttp, 1,000 origins, perOrigin: { maxWorkers: 2 }') {
    const http = new Http({ adapter: neverAdapter, maxWorkers: 1, perOrigin: { maxWorkers: 2 } });
    owner = http;
    // The URLs exist before the clock starts: what is measured is the queue, not the strings. The
    // warm-up goes to other origins, so the measured origins' own state is made (and counted) while
    // measuring.
    const origins = (prefix: string) =>
      Array.from({ length: memoryOrigins }, (_, i) => `http://${prefix}-${i}.test/never`);
    let urls = origins('warm');
    const measured = origins('origin');
    afterWarmup = () => {
      urls = measured;
    };
    let next = 0;
    add = () => http.request(urls[next++ % memoryOrigins]!);
  } else {
    const http = new Http({
      adapter: neverAdapter,
      maxWorkers: 1,
      ...(kind === 'asynchttp' ? {} : { captureCallSite: false }),
    });
    owner = http;
    add = () => http.request(url);
  }
  // Warm the call up, then keep every result so nothing queued can be collected while measuring; the
  // array's own slots are allocated before the first reading.
  const warm: unknown[] = [];
  for (let i = 0; i < 1_000; i++) warm.push(add());
  const kept: unknown[] = new Array(requests).fill(null);
  afterWarmup();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) kept[i] = add();
  const elapsed = Number(process.hrtime.bigint() - start);
  const { user, system } = process.cpuUsage(cpu);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const sample: MemorySample = {
    kind,
    requests,
    heapBytesPerRequest: (after - before) / requests,
    nanosPerCall: elapsed / requests,
    cpuNanosPerCall: ((user + system) * 1000) / requests,
  };
  // Both arrays stay reachable until the result is out.
  process.send!(sample, () =>
    process.exit(kept.length > 0 && warm.length > 0 && owner !== undefined ? 0 : 1),
  );
}

if (process.argv[2] === '--queue' && process.send !== undefined) {
  const kind = process.argv[3] as MemoryKind;
  if (!memoryKinds.includes(kind)) throw new Error(`unknown memory kind ${kind}`);
  queue(kind, Number(process.argv[4]));
}
