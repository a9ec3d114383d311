import { Content } from './content.js';
import { CancelledError } from './errors/cancelled-error.js';
import { ClosedError } from './errors/closed-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { AsyncHttpErrorWithResponse } from './errors/with-response.js';
import { errorMessage } from './format-error.js';
import type { Exchanged } from './pipeline/types.js';
import type { RequestTask } from './request-task.js';
import { Response } from './response.js';

const encoder = new TextEncoder();

/**
 * httplib2's `force_exception_to_status_code`: a timeout is a 408, an error with a response a 500 whose
 * reason is the message, anything else a 400 with the message as a text/plain body. Cancellation and
 * closing still reject: the caller asked for them (`undefined`).
 */
export function forcedResponse(task: RequestTask<any>, error: unknown): Exchanged | undefined {
  if (error instanceof CancelledError || error instanceof ClosedError) return undefined;
  const message = errorMessage(error);
  if (error instanceof AsyncHttpErrorWithResponse && error.response !== undefined) {
    const { response } = error;
    return {
      response: new Response({
        status: 500,
        reason: message,
        version: response.version,
        rawHeaders: response.rawHeaders,
        url: response.url,
        previous: response.previous,
        attempts: response.attempts,
        decodedFrom: response.decodedFrom,
      }),
      content: error.content ?? new Content(new Uint8Array()),
    };
  }
  const timeout = error instanceof TimeoutError;
  const text = timeout ? 'Request Timeout' : message;
  const body = encoder.encode(text);
  return {
    response: new Response({
      status: timeout ? 408 : 400,
      reason: timeout ? 'Request Timeout' : 'Bad Request',
      rawHeaders: [
        ['content-type', 'text/plain'],
        ['content-length', String(body.byteLength)],
      ],
      url: task.url,
    }),
    content: new Content(body, 'text/plain'),
  };
}
