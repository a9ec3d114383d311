import type { Http } from '@asynchttp/core';
import cliProgress from 'cli-progress';
import type { JobProgress, JobResult } from './client.js';

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
 * Shows queued / running / done / failed while a job runs: `http.size` and `http.pending` from the
 * client, done and failed from the job's own counters.
 */
export function startProgress(
  name: string,
  http: Http,
  progress: JobProgress,
  options: ProgressOptions,
): ProgressDisplay {
  const payload = () => ({
    queued: http.size,
    running: http.pending,
    done: progress.done,
    failed: progress.failed,
  });
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
    bar.start(Math.max(progress.issued, 1), 0, payload());
    const refresh = () => {
      bar.setTotal(Math.max(progress.issued, 1));
      bar.update(progress.done + progress.failed, payload());
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

export interface Summary {
  adapter: string;
  workers: number;
  /** Threads that parsed the answers; 0 on the main thread. */
  threads: number;
  /** The event loop's delay while the job ran, 99th percentile, in ms (`monitorEventLoopDelay`). */
  loopDelayP99: number;
  requests: number;
  failures: number;
  wallMs: number;
  perSecond: number;
  p50: number;
  p95: number;
  slowest: string;
  agencies: number;
  routes: number;
  stops: number;
}

/** The figures of one adapter's run; `loop` what was measured around it. */
export function summarize(
  adapter: string,
  workers: number,
  result: JobResult,
  loop: { threads: number; loopDelayP99: number } = { threads: 0, loopDelayP99: 0 },
): Summary {
  const times = result.timings.map((timing) => timing.ms).sort((a, b) => a - b);
  let slowest: (typeof result.timings)[number] | undefined;
  for (const timing of result.timings) {
    if (timing.detail && (slowest === undefined || timing.ms > slowest.ms)) slowest = timing;
  }
  return {
    adapter,
    workers,
    threads: loop.threads,
    loopDelayP99: loop.loopDelayP99,
    requests: result.timings.length,
    failures: result.failed,
    wallMs: result.wallMs,
    perSecond: result.wallMs > 0 ? (result.timings.length * 1000) / result.wallMs : 0,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    slowest: slowest === undefined ? '-' : `${slowest.label} (${ms(slowest.ms)})`,
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
    ['parse threads', summary.threads === 0 ? 'off (main thread)' : String(summary.threads)],
    ['requests', String(summary.requests)],
    ['failures', String(summary.failures)],
    ['wall time', ms(summary.wallMs)],
    ['requests/s', summary.perSecond.toFixed(1)],
    ['p50 latency', ms(summary.p50)],
    ['p95 latency', ms(summary.p95)],
    ['slowest route', summary.slowest],
    ['event-loop p99', ms(summary.loopDelayP99)],
    ['data', `${summary.agencies} agencies, ${summary.routes} routes, ${summary.stops} stops`],
  ]);
}

/** Every adapter side by side, a row each. */
export function formatComparison(summaries: readonly Summary[]): string {
  return formatTable([
    ['adapter', 'requests', 'failures', 'wall time', 'requests/s', 'p50', 'p95', 'loop p99'],
    ...summaries.map((s) => [
      s.adapter,
      String(s.requests),
      String(s.failures),
      ms(s.wallMs),
      s.perSecond.toFixed(1),
      ms(s.p50),
      ms(s.p95),
      ms(s.loopDelayP99),
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
