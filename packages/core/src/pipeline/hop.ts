import type { Content } from '../content.js';
import type { HeaderPairs } from '../request.js';
import type { Response } from '../response.js';
import type { UploadBody } from '../upload.js';

// The data every layer passes on, in a file that imports no layer and no rule, so the rules
// (`../redirects.ts`, `../cache/http-cache.ts`) can use it without a circle back to the pipeline.

/**
 * One exchange as it goes down the pipeline: a hop of a request (the first, or one a redirect made).
 * Layers that change it make a new object; the one they were given is never mutated.
 */
export interface Hop {
  url: URL;
  method: string;
  headers: HeaderPairs;
  body: Uint8Array | UploadBody | undefined;
  /** The response that redirected here, if any: the `previous` chain of the final `Response`. */
  previous?: Response | undefined;
}

/** A settled exchange: a response and its (decoded) content. */
export interface Exchanged {
  response: Response;
  content: Content;
}
