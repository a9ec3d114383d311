import type { Http } from '@asynchttp/core';
import cliProgress from 'cli-progress';
import type { JobResult } from './client.js';
import type { Recording } from './recorder.js';

export interface ProgressDisplay {
  stop(): void;
}

export interface ProgressOptions {
  /** A progress bar when true, plain periodic lines otherwise. */
  tty: boolean;
  stream: NodeJS.WriteStream;
  /** How often a plain line is written. @default 1000 */
  intervalMs?: number;
}

/**
 * Shows queued / running / done / failed while a job runs, all from `http.stats()`: the total grows as
 * routes are discovered (every request issued is queued, running or settled).
 */
export function startProgress(name: string, http: Http, options: ProgressOptions): ProgressDisplay {
  const payload = () => {
    const { queued, running, completed, failed } = http.stats();
    return { queued, running, done: completed, failed, total: queued + running + completed + failed };
  };
  if (options.tty) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${name.padEnd(6)} {bar} {value}/{total} | queued {queued} | running {running} | done {done} | failed {failed}`,
        stream: options.stream,
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    const first = payload();
    bar.start(Math.max(first.total, 1), 0, first);
    const refresh = () => {
      const now = payload();
      bar.setTotal(Math.max(now.total, 1));
      bar.update(now.done + now.failed, now);
    };
    const timer = setInterval(refresh, 100);
    return {
      stop() {
        clearInterval(timer);
        refresh();
        bar.stop();
      },
    };
  }
  const line = () => {
    const { queued, running, done, failed } = payload();
    options.stream.write(`${name}: queued ${queued}, running ${running}, done ${done}, failed ${failed}\n`);
  };
  const timer = setInterval(line, options.intervalMs ?? 1000);
  return {
    stop() {
      clearInterval(timer);
    },
  };
}

/** The limits a run used, as its table shows them. */
export interface Limits {
  workers: number;
  perOriginWorkers: number | undefined;
  /** `--rate` as given (`50/1s`), one per window. */
  rates: readonly string[];
}

export interface Summary {
  adapter: string;
  workers: number;
  perOriginWorkers: number | undefined;
  rates: readonly string[];
  requests: number;
  failures: number;
  wallMs: number;
  perSecond: number;
  p50: number;
  p95: number;
  slowest: string;
  /** Median queue wait (`started.waited`), in ms. */
  waitP50: number;
  retries: number;
  peakRunning: number;
  peakOriginRunning: number;
  agencies: number;
  routes: number;
  stops: number;
}

/** The figures of one adapter's run: the job's data, the client's events (`recording`). */
export function summarize(adapter: string, limits: Limits, result: JobResult, recording: Recording): Summary {
  const { timings } = recording;
  const times = timings.map((timing) => timing.ms).sort((a, b) => a - b);
  let slowest: (typeof timings)[number] | undefined;
  for (const timing of timings) {
    if (timing.detail && (slowest === undefined || timing.ms > slowest.ms)) slowest = timing;
  }
  return {
    adapter,
    workers: limits.workers,
    perOriginWorkers: limits.perOriginWorkers,
    rates: limits.rates,
    requests: timings.length,
    failures: recording.failed,
    wallMs: result.wallMs,
    perSecond: result.wallMs > 0 ? (timings.length * 1000) / result.wallMs : 0,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    slowest: slowest === undefined ? '-' : `${slowest.label} (${ms(slowest.ms)})`,
    waitP50: percentile(
      [...recording.waits].sort((a, b) => a - b),
      0.5,
    ),
    retries: recording.retries,
    peakRunning: recording.peakRunning,
    peakOriginRunning: recording.peakOriginRunning,
    agencies: result.agencies,
    routes: result.routes,
    stops: result.stops,
  };
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

/** One adapter's table: a row per figure. */
export function formatSummary(summary: Summary): string {
  return formatTable([
    ['adapter', summary.adapter],
    ['workers', String(summary.workers)],
    ['per-origin workers', summary.perOriginWorkers === undefined ? '-' : String(summary.perOriginWorkers)],
    ['rate limit', summary.rates.length === 0 ? '-' : summary.rates.join(', ')],
    ['requests', String(summary.requests)],
    ['failures', String(summary.failures)],
    ['wall time', ms(summary.wallMs)],
    ['requests/s', summary.perSecond.toFixed(1)],
    ['p50 latency', ms(summary.p50)],
    ['p95 latency', ms(summary.p95)],
    ['queue wait p50', ms(summary.waitP50)],
    ['peak running', `${summary.peakRunning} (busiest origin ${summary.peakOriginRunning})`],
    ['retries', String(summary.retries)],
    ['slowest route', summary.slowest],
    ['data', `${summary.agencies} agencies, ${summary.routes} routes, ${summary.stops} stops`],
  ]);
}

/** Every adapter side by side, a row each. */
export function formatComparison(summaries: readonly Summary[]): string {
  return formatTable([
    ['adapter', 'requests', 'failures', 'wall time', 'requests/s', 'p50', 'p95'],
    ...summaries.map((s) => [
      s.adapter,
      String(s.requests),
      String(s.failures),
      ms(s.wallMs),
      s.perSecond.toFixed(1),
      ms(s.p50),
      ms(s.p95),
    ]),
  ]);
}

function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, cell.length);
    });
  }
  const rule = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+`;
  const lines = rows.map(
    (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`,
  );
  return [rule, ...lines, rule].join('\n');
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}
