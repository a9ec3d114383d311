// Checks of option values, shared by `Http`, the retry policy and the pipeline: one home, imported by
// all of them, so no module that defines an option has to import another that does.
import { maxTimerDelay } from './timers.js';

/** `RangeError` unless `value` is a whole number >= 0. */
export function checkCount(value: unknown, name: string): number {
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  throw new RangeError(`${name} must be a whole number >= 0, got ${describe(value)}`);
}

/** `TypeError` unless `value` is a boolean. */
export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new TypeError(`${name} must be true or false, got ${describe(value)}`);
}

/** `RangeError` unless `value` is a positive integer or `Infinity`. */
export function checkMaxWorkers(value: unknown): number {
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && (value as number) > 0)) {
    return value as number;
  }
  throw new RangeError(`maxWorkers must be a positive integer or Infinity, got ${describe(value)}`);
}

/**
 * `RangeError` unless `value` is a positive number of ms a timer can hold (at most 2^31 - 1) or
 * `Infinity`: a longer finite one would fire after 1 ms.
 */
export function checkTimeout(value: unknown, name = 'timeout'): number {
  if (
    typeof value === 'number' &&
    value > 0 &&
    (value <= maxTimerDelay || value === Number.POSITIVE_INFINITY)
  ) {
    return value;
  }
  throw new RangeError(
    `${name} must be a positive number of milliseconds up to ${maxTimerDelay}, or Infinity, got ${describe(value)}`,
  );
}

/** `RangeError` unless `value` is a positive integer. */
export function checkPositiveInteger(value: unknown, name: string): number {
  if (Number.isSafeInteger(value) && (value as number) > 0) return value as number;
  throw new RangeError(`${name} must be a positive integer, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
