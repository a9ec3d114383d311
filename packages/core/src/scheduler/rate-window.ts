/**
 * A rate limit: at most `limit` exchanges begin within any `interval` ms (a sliding window, not a
 * fixed one: 10 per 1 000 ms never lets 20 through around a second's edge).
 *
 * @example
 * ```ts
 * const api: RateLimit[] = [{ limit: 10, interval: 1_000 }, { limit: 5_000, interval: 3_600_000 }];
 * ```
 */
export interface RateLimit {
  /** Exchanges allowed per window: a positive integer. */
  readonly limit: number;
  /** The window, in ms: a positive number. */
  readonly interval: number;
}

/**
 * One sliding window: the start times of the last `limit` exchanges, in a ring. There is room when
 * fewer than `limit` began within the last `interval` ms, that is when the oldest of the last `limit`
 * is at least `interval` old. O(1) to ask and to record; memory grows with use up to `limit` numbers.
 */
export class RateWindow {
  readonly limit: number;
  readonly interval: number;
  #times: number[] = [];
  /** Where the next time goes once the ring is full (the oldest one). */
  #next = 0;

  constructor({ limit, interval }: RateLimit) {
    this.limit = limit;
    this.interval = interval;
  }

  /** The earliest time (same clock as `now`) at which one more exchange may begin: `now` when there is room. */
  freeAt(now: number): number {
    if (this.#times.length < this.limit) return now;
    const oldest = this.#times[this.#next]!;
    return Math.max(now, oldest + this.interval);
  }

  /** Records an exchange that begins at `now`. */
  record(now: number): void {
    const times = this.#times;
    if (times.length < this.limit) {
      times.push(now);
      return;
    }
    times[this.#next] = now;
    this.#next = (this.#next + 1) % this.limit;
  }

  /** True when no exchange it remembers is younger than `interval`: it can be forgotten. */
  expired(now: number): boolean {
    const times = this.#times;
    if (times.length === 0) return true;
    const newest =
      times.length < this.limit
        ? times[times.length - 1]!
        : times[(this.#next + this.limit - 1) % this.limit]!;
    return newest + this.interval <= now;
  }

  /** A window for `limit` that keeps what this one remembers (when limits change at run time). */
  resized(limit: RateLimit): RateWindow {
    const window = new RateWindow(limit);
    const times = this.#times;
    const ordered =
      times.length < this.limit ? times : [...times.slice(this.#next), ...times.slice(0, this.#next)];
    for (const time of ordered.slice(-window.limit)) window.record(time);
    return window;
  }
}

/** The earliest time all `windows` have room (`now` when they do). */
export function freeAt(windows: readonly RateWindow[], now: number): number {
  let at = now;
  for (const window of windows) {
    const free = window.freeAt(now);
    if (free > at) at = free;
  }
  return at;
}

/** Records one exchange in every window. */
export function record(windows: readonly RateWindow[], now: number): void {
  for (const window of windows) window.record(now);
}
