import { nextHop, shouldFollow } from '../redirects.js';
import type { Exchanged, Layer, PipelineContext } from './types.js';
import { trace } from './types.js';

/**
 * httplib2's redirects, the outermost layer: each hop goes down the rest of the pipeline (so every hop
 * is looked up in the cache, authorized, retried and decoded on its own), and a followed redirect
 * makes the next hop here. The rules themselves (which codes, methods and headers) are in
 * `../redirects.ts`.
 */
export function redirectLayer(context: PipelineContext): Layer<Exchanged> {
  const { rules, logger } = context;
  return (next) => async (first, task) => {
    let hop = first;
    let redirectsLeft = task.redirections;
    for (;;) {
      const exchanged = await next(hop, task);
      const { response } = exchanged;
      if (!shouldFollow(response.status, hop.method, rules)) return exchanged;
      // A hop left behind is read whole like any redirect (it may go into an error), never streamed.
      await exchanged.content.load();
      const following = nextHop(hop, response, exchanged.content, redirectsLeft);
      if (following === undefined) return exchanged;
      trace(task, logger, `redirect ${response.status} → ${following.method} ${following.url.href}`);
      redirectsLeft--;
      following.previous = response;
      hop = following;
    }
  };
}
