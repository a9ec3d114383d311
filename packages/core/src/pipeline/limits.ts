import type { AdapterResponse } from '../adapter.js';
import type { Layer, PipelineContext } from './types.js';
import { trace } from './types.js';

/**
 * The scheduler's rate windows on every exchange, just above the transport (SPEC "Scheduling"): an
 * exchange waits inside its worker slot until the client's and its origin's windows have room (a
 * retry, a redirect hop and a credential round trip each count; the first exchange was admitted when
 * the request started). With room, the hop goes straight on, without an `async` frame. (A `Retry-After`
 * pause is noted by the retry layer, which sees every retryable status.)
 */
export function limitsLayer(context: PipelineContext): Layer<AdapterResponse> {
  const { scheduler, logger } = context;
  return (next) => (hop, task) => {
    const room = scheduler.admit(task, hop.url);
    if (room === undefined) return next(hop, task);
    trace(task, logger, `waiting for a rate window of ${hop.url.origin}`);
    return room.then(() => next(hop, task));
  };
}
