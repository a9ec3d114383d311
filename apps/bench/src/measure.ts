import type { Client, Mode } from './clients.js';

/** One timed run of one client: N requests at concurrency C. */
export interface Sample {
  requestsPerSecond: number;
  /** Client process CPU (user + system) per request, in µs. */
  cpuMicrosPerRequest: number;
  /** Per-request latency from issue to settle, in µs; in `all` mode it includes the queue wait. */
  p50Micros: number;
  p99Micros: number;
  wallMs: number;
}

export interface MeasureOptions {
  url: string;
  requests: number;
  concurrency: number;
  /** Expected body size: every client must have read N times this many bytes. */
  bodyBytes: number;
  /** Untimed requests first, on the same session: connections open, code warm. */
  warmup: number;
  /** The whole measurement (warm-up included) fails past this. */
  timeoutMs: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Opens a session of `client`, warms it up, times N requests, checks every byte arrived, closes it. */
export async function measure(client: Client, options: MeasureOptions): Promise<Sample> {
  const { url, requests, concurrency, bodyBytes, warmup, timeoutMs } = options;
  const session = client.open(url, concurrency);
  const deadline = Date.now() + timeoutMs;
  try {
    await bounded(drive(client.mode, session.one, warmup, concurrency, undefined), deadline, client.name);
    // Each client starts from a collected heap, so none pays for the garbage of the one before.
    gc?.();
    const latencies = new Float64Array(requests);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const bytes = await bounded(
      drive(client.mode, session.one, requests, concurrency, latencies),
      deadline,
      client.name,
    );
    const wallMs = performance.now() - start;
    const { user, system } = process.cpuUsage(cpu);
    if (bytes !== requests * bodyBytes) {
      throw new Error(`${client.name} read ${bytes} body bytes, expected ${requests} × ${bodyBytes}`);
    }
    latencies.sort();
    return {
      requestsPerSecond: requests / (wallMs / 1000),
      cpuMicrosPerRequest: (user + system) / requests,
      p50Micros: percentile(latencies, 0.5) * 1000,
      p99Micros: percentile(latencies, 0.99) * 1000,
      wallMs,
    };
  } finally {
    await session.close();
  }
}

function drive(
  mode: Mode,
  one: () => Promise<number>,
  requests: number,
  concurrency: number,
  latencies: Float64Array | undefined,
): Promise<number> {
  const record = latencies ?? new Float64Array(requests);
  return mode === 'loops' ? loops(one, requests, concurrency, record) : all(one, requests, record);
}

/** C loops, each awaiting its requests one after the other; resolves the body bytes read. */
async function loops(
  one: () => Promise<number>,
  requests: number,
  concurrency: number,
  latencies: Float64Array,
): Promise<number> {
  let next = 0;
  let bytes = 0;
  const loop = async () => {
    while (next < requests) {
      const index = next++;
      const start = performance.now();
      const size = await one();
      latencies[index] = performance.now() - start;
      bytes += size;
    }
  };
  const running: Promise<void>[] = [];
  for (let i = 0; i < Math.min(concurrency, requests); i++) running.push(loop());
  await Promise.all(running);
  return bytes;
}

/** All N requests issued at once (the client queues them); resolves the body bytes read. */
async function all(one: () => Promise<number>, requests: number, latencies: Float64Array): Promise<number> {
  let bytes = 0;
  const timed = async (index: number) => {
    const start = performance.now();
    const size = await one();
    latencies[index] = performance.now() - start;
    bytes += size;
  };
  const running: Promise<void>[] = new Array(requests);
  for (let i = 0; i < requests; i++) running[i] = timed(i);
  await Promise.all(running);
  return bytes;
}

/** Rejects once `deadline` passes, so a stuck client cannot hang the run. */
function bounded<T>(work: Promise<T>, deadline: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not finish in time (per-measurement time limit)`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median of a few numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
