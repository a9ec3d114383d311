import type { Http, HttpEvents } from '@asynchttp/core';

export interface RequestTiming {
  /** What was requested: `agencies`, `<agency> routes`, or `<agency>/<route>`. */
  label: string;
  /** From `request()` to settled, in ms (queue wait included). */
  ms: number;
  /** Route details only. */
  detail: boolean;
}

/** What a run's `Http` reported through its events. */
export interface Recording {
  timings: RequestTiming[];
  /** Time each request waited in the queue (`started.waited`), in ms. */
  waits: number[];
  /** The first failures (at most 5), `label: message`, for the report. */
  failures: string[];
  failed: number;
  /** `retrying` events: attempts sent again. */
  retries: number;
  /** Most requests running at once, over the whole client and for the busiest origin. */
  peakRunning: number;
  peakOriginRunning: number;
}

/**
 * Records a run from the events of its `Http` (queued, started, retrying, completed, failed): the
 * latency of each request from `request()` to settled, queue waits, failures, retries, and (from
 * `stats()` at each start) how many ran at once, in all and per origin. The client's own figures, so the sample counts nothing the client already does.
 */
export class RunRecorder {
  readonly recording: Recording = {
    timings: [],
    waits: [],
    failures: [],
    failed: 0,
    retries: 0,
    peakRunning: 0,
    peakOriginRunning: 0,
  };
  readonly #http: Http;
  readonly #base: URL;
  readonly #queuedAt = new Map<number, number>();

  readonly #onQueued = ({ id }: HttpEvents['queued']) => {
    this.#queuedAt.set(id, performance.now());
  };
  readonly #onStarted = ({ origin, waited }: HttpEvents['started']) => {
    const { recording } = this;
    recording.waits.push(waited);
    // The client's own counts: a `started` may come before the `completed` of the request whose slot
    // it took, so counting events would see one more than ever ran.
    const stats = this.#http.stats();
    recording.peakRunning = Math.max(recording.peakRunning, stats.running);
    recording.peakOriginRunning = Math.max(recording.peakOriginRunning, stats.origins[origin]?.running ?? 0);
  };
  readonly #onRetrying = () => {
    this.recording.retries++;
  };
  readonly #onCompleted = ({ id, url }: HttpEvents['completed']) => {
    this.#settled(id, url);
  };
  readonly #onFailed = ({ id, url, error }: HttpEvents['failed']) => {
    const label = this.#settled(id, url);
    const { recording } = this;
    recording.failed++;
    if (recording.failures.length < 5) recording.failures.push(`${label}: ${message(error)}`);
  };

  constructor(http: Http, base: URL) {
    this.#http = http;
    this.#base = base;
    http
      .on('queued', this.#onQueued)
      .on('started', this.#onStarted)
      .on('retrying', this.#onRetrying)
      .on('completed', this.#onCompleted)
      .on('failed', this.#onFailed);
  }

  /** Stops listening (the figures stay). */
  stop(): void {
    this.#http
      .off('queued', this.#onQueued)
      .off('started', this.#onStarted)
      .off('retrying', this.#onRetrying)
      .off('completed', this.#onCompleted)
      .off('failed', this.#onFailed);
  }

  #settled(id: number, url: string): string {
    const now = performance.now();
    const { label, detail } = describeUrl(url, this.#base);
    const queuedAt = this.#queuedAt.get(id);
    this.#queuedAt.delete(id);
    if (queuedAt !== undefined) this.recording.timings.push({ label, ms: now - queuedAt, detail });
    return label;
  }
}

/** How the report names a request of the transit API: `agencies`, `<agency> routes`, `<agency>/<route>`. */
export function describeUrl(url: string, base: URL): { label: string; detail: boolean } {
  const path = url.startsWith(base.href) ? url.slice(base.href.length) : new URL(url).pathname.slice(1);
  const parts = /^agencies\/([^/]+)\/routes(?:\/([^/]+)\.json|\.json)$/.exec(path);
  if (parts === null) return { label: path.replace(/\.json$/, ''), detail: false };
  const agency = decodeURIComponent(parts[1]!);
  if (parts[2] === undefined) return { label: `${agency} routes`, detail: false };
  return { label: `${agency}/${decodeURIComponent(parts[2])}`, detail: true };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
