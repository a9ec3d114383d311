import { maxTimerDelay, type Timers } from '../timers.js';
import { describe } from '../validate.js';
import type { Emitter } from './events.js';
import type { OriginState } from './origin-state.js';

/**
 * Pauses: of the whole client, or of one origin (by `pause()`, or by a 429/503 with `Retry-After`).
 * A paused scope starts no new request until its time runs out or it is resumed; running ones go on.
 * Times are epoch ms (`Date.now()`), as `paused` events and `stats()` report them; `Infinity` is
 * "until resumed".
 */
export class Pauses {
  #globalUntil = 0;
  #globalTimer: unknown = undefined;
  readonly #timers: Timers;
  readonly #emitter: Emitter;
  readonly #state: (origin: string) => OriginState;
  readonly #resumed: () => void;

  constructor(timers: Timers, emitter: Emitter, state: (origin: string) => OriginState, resumed: () => void) {
    this.#timers = timers;
    this.#emitter = emitter;
    this.#state = state;
    this.#resumed = resumed;
  }

  /** Whether the whole client is paused. */
  get global(): boolean {
    return this.#globalUntil !== 0;
  }

  /** Pauses the client (no `origin`) or one origin, for `ms` or until resumed. Replaces an earlier pause. */
  pause(origin: string | undefined, ms: number | undefined): void {
    const until = ms === undefined ? Number.POSITIVE_INFINITY : Date.now() + ms;
    if (origin === undefined) {
      this.#clearGlobal();
      this.#globalUntil = until;
      if (ms !== undefined) this.#globalTimer = this.#arm(ms, () => this.#endGlobal());
    } else {
      const state = this.#state(origin);
      this.#clearOrigin(state);
      state.pausedUntil = until;
      if (ms !== undefined) state.pauseTimer = this.#arm(ms, () => this.#endOrigin(state));
    }
    this.#emitter.emit('paused', pausedPayload(origin, until));
  }

  /**
   * A 429 or 503 with `Retry-After` (RFC 9110 §10.2.3): `origin` starts nothing new for `ms`. An
   * existing pause that lasts longer is kept.
   */
  retryAfter(origin: string, ms: number): void {
    const state = this.#state(origin);
    if (state.pausedUntil >= Date.now() + ms) return;
    this.pause(origin, ms);
  }

  /** Ends a pause now (the client's, or one origin's); false when there was none. */
  resume(origin: string | undefined, state: OriginState | undefined): boolean {
    if (origin === undefined) {
      if (this.#globalUntil === 0) return false;
      this.#endGlobal();
      return true;
    }
    if (state === undefined || state.pausedUntil === 0) return false;
    this.#endOrigin(state);
    return true;
  }

  /** Until when the client is paused (epoch ms), or 0. */
  get globalUntil(): number {
    return this.#globalUntil;
  }

  dispose(): void {
    this.#clearGlobal();
  }

  /** Clears one origin's pause timer (when its state is dropped or the client closes). */
  #clearOrigin(state: OriginState): void {
    if (state.pauseTimer !== undefined) this.#timers.clearTimeout(state.pauseTimer);
    state.pauseTimer = undefined;
  }

  #clearGlobal(): void {
    if (this.#globalTimer !== undefined) this.#timers.clearTimeout(this.#globalTimer);
    this.#globalTimer = undefined;
  }

  #endGlobal(): void {
    this.#clearGlobal();
    this.#globalUntil = 0;
    this.#emitter.emit('resumed', {});
    this.#resumed();
  }

  #endOrigin(state: OriginState): void {
    this.#clearOrigin(state);
    state.pausedUntil = 0;
    this.#emitter.emit('resumed', { origin: state.origin });
    this.#resumed();
  }

  /** A timer for `ms` (callers keep `ms` within what a timer holds: `maxTimerDelay`). */
  #arm(ms: number, done: () => void): unknown {
    return this.#timers.setTimeout(done, Math.min(Math.max(0, Math.ceil(ms)), maxTimerDelay));
  }
}

function pausedPayload(origin: string | undefined, until: number): { origin?: string; until?: number } {
  const payload: { origin?: string; until?: number } = {};
  if (origin !== undefined) payload.origin = origin;
  if (until !== Number.POSITIVE_INFINITY) payload.until = until;
  return payload;
}

/** `pause()`, `resume()` and `isPaused()` options, checked: the origin parsed, `for` in range. */
export function checkPauseOptions(
  options: unknown,
  method: 'pause' | 'resume',
): { origin: string | undefined; ms: number | undefined } {
  if (options === undefined) return { origin: undefined, ms: undefined };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `${method}(options) takes an object { origin?${method === 'pause' ? ', for?' : ''} }`,
    );
  }
  const allowed = method === 'pause' ? ['origin', 'for'] : ['origin'];
  for (const name of Object.keys(options)) {
    if (!allowed.includes(name)) {
      throw new TypeError(`${method}() has no option "${name}": it takes ${allowed.join(' and ')}`);
    }
  }
  const { origin, for: ms } = options as { origin?: unknown; for?: unknown };
  if (ms !== undefined && (typeof ms !== 'number' || !(ms > 0) || ms > maxTimerDelay)) {
    throw new RangeError(
      `pause({ for }) takes a positive number of ms up to ${maxTimerDelay}, got ${String(ms)}`,
    );
  }
  return { origin: origin === undefined ? undefined : parseOrigin(origin, `${method}({ origin })`), ms };
}

/** `new URL(value).origin` of an absolute http(s) URL, else a `TypeError` naming `what`. */
export function parseOrigin(value: unknown, what: string): string {
  if (typeof value === 'string' || value instanceof URL) {
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // Reported below.
    }
  }
  throw new TypeError(
    `${what} must be an absolute http(s) URL such as "https://api.example", got ${describe(value)}`,
  );
}
