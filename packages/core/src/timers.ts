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
