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

  /**
   * Starts the scheduler let through whose exchange has not begun yet: they hold room in the window
   * until `commit()` records the exchange at the moment it really begins (or `release()` gives it back).
   */
  #reserved = 0;

  /**
   * The earliest time (same clock as `now`) at which one more exchange may begin: `now` when there is
   * room; `Infinity` while reservations alone fill the window (a `commit()` or `release()` comes first).
   */
  freeAt(now: number): number {
    const times = this.#times;
    // How many recorded starts must have aged out of the window before one more fits.
    const need = times.length + this.#reserved - this.limit + 1;
    if (need <= 0) return now;
    if (need > times.length) return Number.POSITIVE_INFINITY;
    const full = times.length === this.limit;
    const oldest = times[full ? (this.#next + need - 1) % this.limit : need - 1]!;
    return Math.max(now, oldest + this.interval);
  }

  /** Holds room for a start whose exchange has not begun yet. */
  reserve(): void {
    this.#reserved++;
  }

  /** The reserved exchange begins now: it is recorded at its real time. */
  commit(now: number): void {
    this.#reserved = Math.max(0, this.#reserved - 1);
    this.record(now);
  }

  /** The reserved start made no exchange (cancelled, answered from the cache): its room is free again. */
  release(): void {
    this.#reserved = Math.max(0, this.#reserved - 1);
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

  /** True when no exchange it remembers is younger than `interval`, and none is reserved: it can be forgotten. */
  expired(now: number): boolean {
    const times = this.#times;
    if (this.#reserved > 0) return false;
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
    window.#reserved = this.#reserved;
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

/** Reserves, commits or releases one start in every window (see `RateWindow.reserve`). */
export function reserve(windows: readonly RateWindow[]): void {
  for (const window of windows) window.reserve();
}
export function commit(windows: readonly RateWindow[], now: number): void {
  for (const window of windows) window.commit(now);
}
export function release(windows: readonly RateWindow[]): void {
  for (const window of windows) window.release();
}
