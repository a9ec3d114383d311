/**
 * The Redis keys and channels this package adds next to BullMQ's, all under `{prefix}:{queue}:`.
 * Each holds one thing once: a request body, a result, a marker; nothing is copied into BullMQ's job.
 */
export class Keys {
  readonly base: string;
  constructor(prefix: string, queue: string) {
    this.base = `${prefix}:${queue}:x`;
  }
  /** A request body, binary, written by the caller, read by the worker(s) that run the job. */
  body(job: string): string {
    return `${this.base}:body:${job}`;
  }
  /** The exchange's result (head + body), written once by a worker, read and deleted by its caller. */
  result(job: string): string {
    return `${this.base}:result:${job}`;
  }
  /** Set just before a worker sends: a second worker finding it never sends a non-idempotent request. */
  sent(job: string): string {
    return `${this.base}:sent:${job}`;
  }
  /** Set by a caller's cancel, so a worker that takes the job anyway drops it. */
  cancelled(job: string): string {
    return `${this.base}:cancelled:${job}`;
  }
  /** One caller's own channel: only job ids ("s" started, "d" done), never bodies. */
  caller(id: string): string {
    return `${this.base}:caller:${id}`;
  }
  /** Where callers ask workers to abort a running exchange (job ids only). */
  get cancel(): string {
    return `${this.base}:cancel`;
  }
  /** An origin paused for the fleet by a Retry-After; expires by itself. */
  pause(origin: string): string {
    return `${this.base}:pause:${origin}`;
  }
  /** A sliding rate window (a sorted set of start times). */
  window(scope: string, index: number): string {
    return `${this.base}:window:${scope}:${index}`;
  }
  /** An origin's concurrency leases (redis-semaphore). */
  leases(origin: string): string {
    return `${this.base}:leases:${origin}`;
  }
}

/** Methods that may be sent again after a worker died mid-exchange (RFC 9110 section 9.2.2). */
export const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** How long the keys of an exchange live at most, should both sides die: an hour. */
export const keyTtl = 3_600_000;
