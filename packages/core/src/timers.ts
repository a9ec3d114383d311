/**
 * The timer functions core uses, replaceable for tests (fake clocks) and for runtimes with their own.
 * Pass functions that call the timer, not the timer itself, so a later fake clock still applies:
 * `(callback, ms) => setTimeout(callback, ms)`, not `setTimeout`.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds from an arbitrary origin, for the durations in the log. */
  now(): number;
}

/** The runtime's own timers. */
export const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
  now: () => performance.now(),
};

/**
 * The longest delay a timer holds (2^31 - 1 ms, about 24.8 days). Node and browsers turn a longer one
 * into 1 ms (Node with a `TimeoutOverflowWarning`), so core never asks for more.
 */
export const maxTimerDelay = 2_147_483_647;
