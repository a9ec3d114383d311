import type { RequestTask } from '../request-task.js';
import { parseRetryAfter } from '../retry.js';
import { maxTimerDelay, type Timers } from '../timers.js';
import type { Emitter } from './events.js';
import {
  checkOriginLimits,
  checkOrigins,
  checkRateLimits,
  type OriginLimits,
  resolveOrigin,
} from './limits.js';
import { OriginState } from './origin-state.js';
import { Pauses } from './pauses.js';
import { commit, freeAt, type RateLimit, RateWindow, record, release, reserve } from './rate-window.js';
import { ReadyHeap } from './ready-heap.js';

/** What `stats()` says of one origin. */
export interface OriginStats {
  /** Requests of this origin waiting to start. */
  queued: number;
  /** Requests of this origin (by their first hop) running. */
  running: number;
  /** Epoch ms (`Date.now()`) until which it is paused; absent when not paused (`Infinity`: until resumed). */
  pausedUntil?: number;
}

/** Starts a request the scheduler picked: Http hands it to a p-queue worker. */
export type Start = (task: RequestTask<any>) => void;

/**
 * Which waiting request starts next, and when (SPEC "Scheduling"). A request starts only when the
 * client and its origin both have room: the client's `maxWorkers` and rate windows, its origin's
 * `maxWorkers` and rate windows, and no pause. Among the origins that can start, the one whose next
 * request has the highest priority, then the earliest `request()` call, goes first (a heap of ready
 * origins, so a full or paused origin never holds up another, and each start is O(log origins)).
 * Limits are data here; the rate windows of later exchanges (retries, hops) are admitted by `admit()`.
 */
export class Scheduler {
  readonly #states = new Map<string, OriginState>();
  readonly #ready = new ReadyHeap();
  readonly #timers: Timers;
  readonly #start: Start;
  readonly pauses: Pauses;
  #maxWorkers: number;
  #windows: RateWindow[];
  #rateLimit: readonly RateLimit[];
  #perOrigin: OriginLimits | undefined;
  #origins: ReadonlyMap<string, OriginLimits>;
  #originsInput: unknown;
  #running = 0;
  #waiting = 0;
  /** Exchanges of running requests waiting for a client-wide rate window: they go before new starts. */
  #hopsWaiting = 0;
  #globalWake: unknown = undefined;
  #pumping = false;
  #sweepAt = 64;

  constructor(
    options: { maxWorkers: number; rateLimit: unknown; perOrigin: unknown; origins: unknown },
    timers: Timers,
    emitter: Emitter,
    start: Start,
  ) {
    this.#timers = timers;
    this.#start = start;
    this.#maxWorkers = options.maxWorkers;
    this.#rateLimit = checkRateLimits(options.rateLimit, 'rateLimit');
    this.#windows = this.#rateLimit.map((limit) => new RateWindow(limit));
    this.#perOrigin =
      options.perOrigin === undefined ? undefined : checkOriginLimits(options.perOrigin, 'perOrigin');
    this.#origins = checkOrigins(options.origins);
    this.#originsInput = options.origins;
    this.pauses = new Pauses(
      timers,
      emitter,
      (origin) => this.#state(origin),
      () => this.#resumed(),
    );
  }

  // --- limits, settable at run time

  get maxWorkers(): number {
    return this.#maxWorkers;
  }
  set maxWorkers(value: number) {
    this.#maxWorkers = value;
    this.pump();
  }

  get rateLimit(): readonly RateLimit[] {
    return this.#rateLimit;
  }
  setRateLimit(value: unknown): void {
    const limits = checkRateLimits(value, 'rateLimit');
    const old = this.#windows;
    this.#rateLimit = limits;
    this.#windows = limits.map((limit, index) => old[index]?.resized(limit) ?? new RateWindow(limit));
    this.pump();
  }

  get perOrigin(): OriginLimits | undefined {
    return this.#perOrigin;
  }
  setPerOrigin(value: unknown): void {
    this.#perOrigin = value === undefined ? undefined : checkOriginLimits(value, 'perOrigin');
    this.#reconfigure();
  }

  get origins(): unknown {
    return this.#originsInput;
  }
  setOrigins(value: unknown): void {
    this.#origins = checkOrigins(value);
    this.#originsInput = value;
    this.#reconfigure();
  }

  /** Requests waiting to start. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Requests running (holding a worker slot). */
  get running(): number {
    return this.#running;
  }

  // --- requests

  /** Queues `task` for `origin` (the origin of its first hop) and starts what can start. */
  enqueue(task: RequestTask<any>, origin: string): void {
    const state = this.#state(origin);
    task.scheduled = state;
    this.#waiting++;
    if (state.line.size === 0 && this.#ready.size === 0 && this.#room()) {
      // The clock is read only where a rate window needs it.
      const now = state.windows.length === 0 && this.#windows.length === 0 ? 0 : this.#timers.now();
      if (this.#startable(state, now)) {
        this.#launch(state, task);
        return;
      }
    }
    state.line.enqueue(task, task.priority);
    if (state.line.size === 1 || state.heapIndex !== -1) this.#refresh(state, this.#timers.now());
    this.pump();
  }

  /** Takes a waiting request out of line (cancel); false when it was not waiting. */
  take(task: RequestTask<any>): boolean {
    const state = task.scheduled;
    if (state === undefined || !state.line.take(task)) return false;
    this.#waiting--;
    this.#settle(state, this.#timers.now());
    return true;
  }

  /** Takes every waiting request out of line (close with `cancelPending`). */
  drain(): RequestTask<any>[] {
    const drained: RequestTask<any>[] = [];
    const now = this.#timers.now();
    for (const state of [...this.#states.values()]) {
      drained.push(...(state.line.drain() as RequestTask<any>[]));
      this.#settle(state, now);
    }
    this.#waiting = 0;
    return drained;
  }

  /** A started request ended: its slots are free. Called exactly once per started request. */
  finished(task: RequestTask<any>): void {
    const state = task.scheduled!;
    this.#running--;
    state.running--;
    if (task.reservation) {
      // Ended without an exchange (cancelled, or answered before the network): its room is free.
      task.reservation = false;
      release(this.#windows);
      release(state.windows);
    }
    this.#settle(state, state.windows.length === 0 ? 0 : this.#timers.now());
    this.pump();
  }

  /**
   * Admits one exchange of a running request to `url`'s origin under the rate windows (the client's
   * and the origin's): `undefined` when it may go now (recorded), else a promise that settles when it
   * may (and rejects with the request's error if it is cancelled meanwhile). The first exchange was
   * admitted when the request started.
   */
  admit(task: RequestTask<any>, url: URL): Promise<void> | undefined {
    const first = task.firstUrl === url;
    task.firstUrl = undefined;
    if (task.reservation) {
      task.reservation = false;
      const state = task.scheduled!;
      // The start reserved room; the exchange is recorded now, when it really begins.
      if (first) {
        this.#settleReservation(state, true);
        return undefined;
      }
      this.#settleReservation(state, false);
    } else if (first) {
      return undefined;
    }
    if (this.#windows.length === 0 && this.#perOrigin === undefined && this.#origins.size === 0)
      return undefined;
    return this.#admitTo(task, this.#state(url.origin));
  }

  /** A started request's reserved room: recorded now (`used`) or given back; new starts may follow. */
  #settleReservation(state: OriginState, used: boolean): void {
    const now = this.#timers.now();
    if (used) {
      commit(this.#windows, now);
      commit(state.windows, now);
    } else {
      release(this.#windows);
      release(state.windows);
    }
    if (state.line.size > 0) this.#refresh(state, now);
    this.pump();
  }

  #admitTo(task: RequestTask<any>, state: OriginState): Promise<void> | undefined {
    if (state.windows.length === 0 && this.#windows.length === 0) return undefined;
    const now = this.#timers.now();
    const at = Math.max(freeAt(this.#windows, now), freeAt(state.windows, now));
    if (at <= now) {
      record(this.#windows, now);
      record(state.windows, now);
      return undefined;
    }
    return this.#waitForRoom(task, state, at - now);
  }

  /** Holds new starts back (for the client, and for `state`) while an exchange waits for a window. */
  async #waitForRoom(task: RequestTask<any>, state: OriginState, ms: number): Promise<void> {
    this.#hopsWaiting++;
    state.hopsWaiting++;
    this.#ready.remove(state);
    let slept = false;
    try {
      await task.sleep(this.#timers, Math.min(Math.ceil(ms), maxTimerDelay));
      slept = true;
    } finally {
      this.#hopsWaiting--;
      state.hopsWaiting--;
      // Cancelled while waiting: new starts may go again at once.
      if (!slept) {
        this.#refresh(state, this.#timers.now());
        this.pump();
      }
    }
    const again = this.#admitTo(task, state);
    if (again !== undefined) await again;
    this.#refresh(state, this.#timers.now());
    this.pump();
  }

  /** Starts waiting requests while the client and their origins have room. */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#ready.size > 0 && this.#room()) {
        const now = this.#timers.now();
        const wait = freeAt(this.#windows, now) - now;
        if (wait > 0) {
          this.#wakeGlobal(wait);
          break;
        }
        const state = this.#ready.peek()!;
        this.#launch(state, state.line.dequeue() as RequestTask<any>);
        this.#refresh(state, now);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Whether `origin` (or, without one, the whole client) is paused; an origin also by the client's pause. */
  isPaused(origin: string | undefined): boolean {
    if (this.pauses.global || origin === undefined) return this.pauses.global;
    return (this.#states.get(origin)?.pausedUntil ?? 0) !== 0;
  }

  /** Ends the client's pause, or `origin`'s. */
  resume(origin: string | undefined): void {
    this.pauses.resume(origin, origin === undefined ? undefined : this.#states.get(origin));
  }

  /**
   * A 429 or 503 answered with `Retry-After` (RFC 9110 §10.2.3): `origin` starts nothing new until then,
   * at most `cap` ms (the request's `retry.maxRetryAfter`). Nothing for a missing or past value.
   */
  retryAfter(origin: string, header: string | undefined, cap: number): void {
    if (header === undefined) return;
    const wait = parseRetryAfter(header, Date.now());
    if (wait === undefined || wait <= 0) return;
    this.pauses.retryAfter(origin, Math.min(wait, cap, maxTimerDelay));
  }

  /** What `stats().origins` shows. */
  originStats(): Record<string, OriginStats> {
    const out: Record<string, OriginStats> = {};
    for (const state of this.#states.values()) {
      const stats: OriginStats = { queued: state.line.size, running: state.running };
      if (state.pausedUntil !== 0) stats.pausedUntil = state.pausedUntil;
      out[state.origin] = stats;
    }
    return out;
  }

  /** Clears every timer (the client is closed and idle). */
  dispose(): void {
    if (this.#globalWake !== undefined) this.#timers.clearTimeout(this.#globalWake);
    this.#globalWake = undefined;
    for (const state of this.#states.values()) {
      if (state.wakeTimer !== undefined) this.#timers.clearTimeout(state.wakeTimer);
      state.wakeTimer = undefined;
      if (state.pauseTimer !== undefined) this.#timers.clearTimeout(state.pauseTimer);
      state.pauseTimer = undefined;
    }
    this.pauses.dispose();
  }

  // --- internals

  #room(): boolean {
    return this.#running < this.#maxWorkers && this.#hopsWaiting === 0 && !this.pauses.global;
  }

  #startable(state: OriginState, now: number): boolean {
    return (
      state.running < state.maxWorkers &&
      state.pausedUntil === 0 &&
      state.hopsWaiting === 0 &&
      (state.windows.length === 0 || freeAt(state.windows, now) <= now) &&
      (this.#windows.length === 0 || freeAt(this.#windows, now) <= now)
    );
  }

  #launch(state: OriginState, task: RequestTask<any>): void {
    this.#waiting--;
    this.#running++;
    state.running++;
    if (this.#windows.length > 0 || state.windows.length > 0) {
      // Room is held, not yet recorded: the first exchange records itself when it really begins.
      reserve(this.#windows);
      reserve(state.windows);
      task.reservation = true;
    }
    this.#start(task);
  }

  /** After a request of `state` left: drop the state if nothing is left of it, else re-place it. */
  #settle(state: OriginState, now: number): void {
    if (state.windows.length === 0 && state.idle(now)) {
      this.#ready.remove(state);
      if (this.#states.get(state.origin) === state) this.#states.delete(state.origin);
    } else {
      this.#refresh(state, now);
    }
  }

  /** Puts `state` in the ready heap, or out of it (with a wake-up when a rate window will free room). */
  #refresh(state: OriginState, now: number): void {
    if (
      state.line.size === 0 ||
      state.running >= state.maxWorkers ||
      state.pausedUntil !== 0 ||
      state.hopsWaiting > 0
    ) {
      this.#ready.remove(state);
      return;
    }
    if (state.windows.length > 0) {
      const at = freeAt(state.windows, now);
      if (at > now) {
        this.#ready.remove(state);
        this.#wake(state, at - now);
        return;
      }
    }
    this.#ready.update(state);
  }

  #wake(state: OriginState, ms: number): void {
    if (state.wakeTimer !== undefined) return;
    state.wakeTimer = this.#timers.setTimeout(
      () => {
        state.wakeTimer = undefined;
        this.#refresh(state, this.#timers.now());
        this.pump();
      },
      Math.min(Math.ceil(ms), maxTimerDelay),
    );
  }

  #wakeGlobal(ms: number): void {
    if (this.#globalWake !== undefined) return;
    this.#globalWake = this.#timers.setTimeout(
      () => {
        this.#globalWake = undefined;
        this.pump();
      },
      Math.min(Math.ceil(ms), maxTimerDelay),
    );
  }

  #state(origin: string): OriginState {
    let state = this.#states.get(origin);
    if (state === undefined) {
      if (this.#states.size >= this.#sweepAt) this.#sweep();
      state = new OriginState(origin, resolveOrigin(origin, this.#perOrigin, this.#origins));
      this.#states.set(origin, state);
    }
    return state;
  }

  #resumed(): void {
    const now = this.#timers.now();
    for (const state of this.#states.values()) if (state.line.size > 0) this.#refresh(state, now);
    this.pump();
  }

  #reconfigure(): void {
    const now = this.#timers.now();
    for (const state of this.#states.values()) {
      state.reconfigure(resolveOrigin(state.origin, this.#perOrigin, this.#origins));
      this.#refresh(state, now);
    }
    this.pump();
  }

  /** Drops idle origins (nothing waiting, running, paused, or remembered by a rate window). */
  #sweep(): void {
    const now = this.#timers.now();
    for (const [origin, state] of this.#states) if (state.idle(now)) this.#states.delete(origin);
    this.#sweepAt = Math.max(64, this.#states.size * 2);
  }
}
