import { type Queued, RequestQueue } from '../queue.js';

/** A waiting request, as the scheduler orders it. */
export interface Schedulable extends Queued {
  /** Order of `request()` calls: lower first among equal priorities. */
  readonly id: number;
  /** Higher first. */
  readonly priority: number;
}

import type { ResolvedLimits } from './limits.js';
import { RateWindow } from './rate-window.js';

/**
 * One origin's share of the scheduler: its waiting line (priority, then call order), how many of its
 * requests run, its limits and rate windows, and its pause. Made on first use and dropped when idle
 * (Bottleneck's Group), so many quiet origins cost nothing.
 */
export class OriginState {
  readonly origin: string;
  readonly line = new RequestQueue<Schedulable>();
  running = 0;
  maxWorkers: number;
  windows: RateWindow[];
  /** Epoch ms (`Date.now()`) until which no new request of this origin starts; 0 when not paused. */
  pausedUntil = 0;
  /** The pause's own timer, if it has an end. */
  pauseTimer: unknown = undefined;
  /** A timer that wakes the scheduler when a rate window frees room for a waiting request. */
  wakeTimer: unknown = undefined;
  /** Exchanges of running requests waiting for this origin's rate windows: they go before new starts. */
  hopsWaiting = 0;
  /** Position in the scheduler's ready heap, or -1 when not in it. */
  heapIndex = -1;

  constructor(origin: string, limits: ResolvedLimits) {
    this.origin = origin;
    this.maxWorkers = limits.maxWorkers;
    this.windows = limits.rateLimits.map((limit) => new RateWindow(limit));
  }

  /** Applies new limits, keeping what the rate windows remember. */
  reconfigure(limits: ResolvedLimits): void {
    this.maxWorkers = limits.maxWorkers;
    const old = this.windows;
    this.windows = limits.rateLimits.map((limit, index) =>
      old[index] === undefined ? new RateWindow(limit) : old[index]!.resized(limit),
    );
  }

  /** Whether nothing waits, runs, pauses or is remembered: the state may be dropped. */
  idle(now: number): boolean {
    return (
      this.line.size === 0 &&
      this.running === 0 &&
      this.pausedUntil === 0 &&
      this.wakeTimer === undefined &&
      this.hopsWaiting === 0 &&
      this.windows.every((window) => window.expired(now))
    );
  }
}

/** Whether `a`'s next request starts before `b`'s: higher priority first, then call order. */
export function before(a: OriginState, b: OriginState): boolean {
  const x = a.line.peek()!;
  const y = b.line.peek()!;
  return x.priority !== y.priority ? x.priority > y.priority : x.id < y.id;
}
