import {
  type AdapterResponse,
  CancelledError,
  ConnectionError,
  ResponseTooLargeError,
  readStream,
  TimeoutError,
} from '@asynchttp/core';

/** A job's data: the exchange without its body (kept in its own key, binary). Short names: Redis memory. */
export interface JobData {
  m: string;
  u: string;
  h: [string, string][];
  /** Body length, when there is a body (in `Keys.body(job)`). */
  b?: number | undefined;
  /** maxResponseBytes, when not core's default (64 MiB) */
  x?: number | undefined;
}

/** Core's default `maxResponseBytes`, left out of job data to keep each queued job small. */
export const defaultMaxResponseBytes = 64 * 1024 * 1024;

/** A job's id is `{caller}.{sequence}`: the caller (whose channel hears of the result) without a field. */
export function callerOf(job: string): string {
  return job.slice(0, job.lastIndexOf('.'));
}

/** What a worker reports: a response, or an error by name. */
interface ResultHead {
  s?: number;
  r?: string;
  v?: string | undefined;
  h?: [string, string][];
  d?: boolean | undefined;
  u?: string | undefined;
  e?: { name: string; message: string };
}

/** One buffer: 4-byte head length, the head as JSON, then the body bytes as they are. */
/**
 * A body as bytes: Redis carries whole bodies, so a stream (an upload, or a response the worker's
 * adapter streamed) is read to its end here. Fleet exchanges are buffered both ways (README).
 */
export async function wholeBody(
  body: Uint8Array | ReadableStream<Uint8Array> | undefined,
): Promise<Uint8Array | undefined> {
  if (body === undefined || body instanceof Uint8Array) return body;
  return readStream(body);
}

export function encodeResponse(response: AdapterResponse & { body: Uint8Array }): Buffer {
  const head: ResultHead = {
    s: response.status,
    r: response.reason,
    v: response.version,
    h: response.headers,
    d: response.decoded,
    u: response.url,
  };
  return frame(head, response.body);
}

export function encodeError(error: unknown): Buffer {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return frame({ e: { name, message } }, undefined);
}

function frame(head: ResultHead, body: Uint8Array | undefined): Buffer {
  const json = Buffer.from(JSON.stringify(head));
  const out = Buffer.allocUnsafe(4 + json.length + (body?.byteLength ?? 0));
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  if (body !== undefined) out.set(body, 4 + json.length);
  return out;
}

/** The caller's side of `encodeResponse`/`encodeError`: a response, or core's error thrown. */
export function decodeResult(buffer: Buffer, request: { method: string; url: string }): AdapterResponse {
  const length = buffer.readUInt32BE(0);
  const head = JSON.parse(buffer.toString('utf8', 4, 4 + length)) as ResultHead;
  if (head.e !== undefined) throw remoteError(head.e, request);
  const body = new Uint8Array(buffer.buffer, buffer.byteOffset + 4 + length, buffer.length - 4 - length);
  const response: AdapterResponse = { status: head.s!, reason: head.r!, headers: head.h!, body };
  if (head.v !== undefined) response.version = head.v;
  if (head.d !== undefined) response.decoded = head.d;
  if (head.u !== undefined) response.url = head.u;
  return response;
}

function remoteError(
  error: { name: string; message: string },
  request: { method: string; url: string },
): Error {
  const options = { request };
  const message = `${error.message} (on a worker)`;
  switch (error.name) {
    case 'TimeoutError':
      return new TimeoutError(message, options);
    case 'ResponseTooLargeError':
      return new ResponseTooLargeError(message, options);
    case 'CancelledError':
      return new CancelledError(message, options);
    default:
      return new ConnectionError(message, options);
  }
}
