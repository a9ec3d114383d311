import type { AdapterResponse } from '../adapter.js';
import { parseRetryAfter } from '../retry.js';
import { maxTimerDelay } from '../timers.js';
import type { Layer, PipelineContext } from './types.js';
import { headerValue, trace } from './types.js';

/**
 * The scheduler's limits on every exchange, just above the transport (SPEC "Scheduling"): an
 * exchange waits inside its worker slot until the client's and its origin's rate windows have room
 * (a retry, a redirect hop and a credential round trip each count; the first exchange was admitted
 * when the request started), and a 429 or 503 with `Retry-After` (RFC 9110 §10.2.3) pauses new starts
 * to its origin, capped by the request's `retry.maxRetryAfter`, when `pauseOnRetryAfter` is on.
 */
export function limitsLayer(context: PipelineContext): Layer<AdapterResponse> {
  const { scheduler, logger } = context;
  return (next) => async (hop, task) => {
    const room = scheduler.admit(task, hop.url);
    if (room !== undefined) {
      trace(task, logger, `waiting for a rate window of ${hop.url.origin}`);
      await room;
    }
    const response = await next(hop, task);
    if ((response.status === 429 || response.status === 503) && context.pauseOnRetryAfter) {
      const header = headerValue(response.headers, 'retry-after');
      const wait = header === undefined ? undefined : parseRetryAfter(header, Date.now());
      if (wait !== undefined && wait > 0) {
        const ms = Math.min(wait, task.retry.maxRetryAfter, maxTimerDelay);
        trace(task, logger, `${response.status} Retry-After: pausing ${hop.url.origin} for ${ms} ms`);
        scheduler.pauses.retryAfter(hop.url.origin, ms);
      }
    }
    return response;
  };
}
