import type { AdapterResponse } from '../adapter.js';
import { decodeBody, parseCodings } from '../compression.js';
import { Content } from '../content.js';
import { decodeStream } from '../decode-stream.js';
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
    let result = await next(hop, task);
    const attempts = task.attempts;
    if (!(result.body instanceof Uint8Array)) {
      if (task.stream) return streamed(context, result, result.body, hop, attempts);
      // An adapter that streams even when not asked: read whole here, under the same limit.
      const content = await new Content(result.body, undefined, context.maxResponseBytes).load();
      result = { ...result, body: content.bytes() };
    }
    const body = result.body as Uint8Array;
    const encoding = headerValue(result.headers, 'content-encoding');
    if (encoding === undefined || hop.method === 'HEAD' || body.byteLength === 0) {
      return finish(context, result, body, hop, attempts, undefined);
    }
    if (result.decoded) return finish(context, result, body, hop, attempts, encoding);
    const codings = parseCodings(encoding);
    if (codings === undefined) return finish(context, result, body, hop, attempts, undefined);
    const limits = { maxBytes: context.maxResponseBytes, maxRatio: context.maxCompressionRatio };
    let decoded: Uint8Array;
    try {
      decoded = await decodeBody(body, codings, limits);
    } catch (error) {
      if (!(error instanceof DecompressionError)) throw error;
      const response = makeResponse(result, hop, attempts, undefined);
      throw new DecompressionError(error.message, {
        cause: error.cause,
        response,
        content: new Content(body, response.get('content-type')),
      });
    }
    return finish(context, result, decoded, hop, attempts, encoding);
  };
}

/**
 * `stream: true`: the response settles now, its body decoded as it is read (the ratio limit checked on
 * each chunk); `maxResponseBytes` bounds only `load()` and the whole-body readers.
 */
function streamed(
  context: PipelineContext,
  result: AdapterResponse,
  body: ReadableStream<Uint8Array>,
  hop: Hop,
  attempts: number,
): Exchanged {
  const encoding = headerValue(result.headers, 'content-encoding');
  const codings = hop.method === 'HEAD' || result.decoded ? undefined : parseCodings(encoding);
  const decodedFrom = codings === undefined ? (result.decoded ? encoding : undefined) : encoding;
  const decoded = codings === undefined ? body : decodeStream(body, codings, context.maxCompressionRatio);
  const response = makeResponse(result, hop, attempts, decodedFrom);
  const type = headerValue(result.headers, 'content-type');
  return { response, content: new Content(decoded, type, context.maxResponseBytes) };
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
