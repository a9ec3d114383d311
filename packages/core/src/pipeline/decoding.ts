import type { AdapterResponse } from '../adapter.js';
import { decodeBody, parseCodings } from '../compression.js';
import { Content } from '../content.js';
import { DecompressionError } from '../errors/decompression-error.js';
import { ResponseTooLargeError } from '../errors/response-too-large-error.js';
import { Response } from '../response.js';
import type { Exchanged, Hop, Layer, PipelineContext } from './types.js';
import { headerValue } from './types.js';

/**
 * Content-coding (RFC 9110 §8.4): the raw response that comes up from the retries, credentials and
 * adapter becomes a `Response` with its decoded `Content`. Decoding is skipped for HEAD, empty bodies
 * and bodies the adapter already decoded; bombs are stopped by `maxResponseBytes` and
 * `maxCompressionRatio`. The codecs are in `../compression.ts`.
 */
export function decodingLayer(context: PipelineContext): Layer<AdapterResponse, Exchanged> {
  return (next) => async (hop, task) => {
    task.attempts = 0;
    const result = await next(hop, task);
    const attempts = task.attempts;
    const encoding = headerValue(result.headers, 'content-encoding');
    if (encoding === undefined || hop.method === 'HEAD' || result.body.byteLength === 0) {
      return finish(context, result, result.body, hop, attempts, undefined);
    }
    if (result.decoded) return finish(context, result, result.body, hop, attempts, encoding);
    const codings = parseCodings(encoding);
    if (codings === undefined) return finish(context, result, result.body, hop, attempts, undefined);
    const limits = { maxBytes: context.maxResponseBytes, maxRatio: context.maxCompressionRatio };
    let body: Uint8Array;
    try {
      body = await decodeBody(result.body, codings, limits);
    } catch (error) {
      if (!(error instanceof DecompressionError)) throw error;
      const response = makeResponse(result, hop, attempts, undefined);
      throw new DecompressionError(error.message, {
        cause: error.cause,
        response,
        content: new Content(result.body, response.get('content-type')),
      });
    }
    return finish(context, result, body, hop, attempts, encoding);
  };
}

function finish(
  context: PipelineContext,
  result: AdapterResponse,
  body: Uint8Array,
  hop: Hop,
  attempts: number,
  decodedFrom: string | undefined,
): Exchanged {
  const limit = context.maxResponseBytes;
  if (body.byteLength > limit) {
    throw new ResponseTooLargeError(
      `Response body of ${body.byteLength} bytes exceeds maxResponseBytes (${limit})`,
      { limit },
    );
  }
  const response = makeResponse(result, hop, attempts, decodedFrom);
  return { response, content: new Content(body, headerValue(result.headers, 'content-type')) };
}

function makeResponse(
  result: AdapterResponse,
  hop: Hop,
  attempts: number,
  decodedFrom: string | undefined,
): Response {
  return new Response({
    status: result.status,
    reason: result.reason,
    version: result.version,
    rawHeaders: result.headers,
    // An adapter whose transport followed redirects itself (fetch in a browser) reports where it ended.
    url: typeof result.url === 'string' ? result.url : hop.url.href,
    previous: hop.previous,
    attempts,
    decodedFrom,
  });
}
