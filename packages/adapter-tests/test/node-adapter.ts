// A small adapter on node:http / node:https, written only to exercise the suite before any real
// adapter exists. It follows the contract: one exchange, keep-alive, abort through the signal,
// maxResponseBytes while reading, failures mapped to core's errors.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  type Adapter,
  type AdapterRequest,
  type AdapterResponse,
  CancelledError,
  ConnectionError,
  failureReason,
  isAsyncHttpError,
  ResponseTooLargeError,
} from '@asynchttp/core';

export interface NodeAdapterOptions {
  ca?: string;
}

export function nodeAdapter(options: NodeAdapterOptions = {}): Adapter {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const secureAgent = new https.Agent({ keepAlive: true, maxSockets: 256, ca: options.ca });

  return {
    name: 'node-http (self-test)',
    send(request: AdapterRequest): Promise<AdapterResponse> {
      return new Promise((resolve, reject) => {
        const { signal, url } = request;
        if (signal.aborted) return reject(abortReason(signal));
        const secure = url.protocol === 'https:';
        const req = (secure ? https : http).request(url, {
          method: request.method,
          agent: secure ? secureAgent : agent,
        });
        for (const [name, value] of request.headers) req.appendHeader(name, value);
        // node:http sends neither length nor chunks for a DELETE body unless told the length.
        const { body } = request;
        if (body instanceof Uint8Array && !req.hasHeader('content-length')) {
          req.setHeader('content-length', body.byteLength);
        }
        let settled = false;
        const fail = (error: unknown) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          req.destroy();
          reject(error);
        };
        const onAbort = () => fail(abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        req.on('error', (error) =>
          fail(
            isAsyncHttpError(error)
              ? error
              : new ConnectionError(`${failureReason(error)}: ${request.method} ${request.url.href}`, {
                  cause: error,
                }),
          ),
        );
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let length = 0;
          res.on('data', (chunk: Buffer) => {
            length += chunk.length;
            if (request.maxResponseBytes !== undefined && length > request.maxResponseBytes) {
              fail(new ResponseTooLargeError('Response body too large', { limit: request.maxResponseBytes }));
              return;
            }
            chunks.push(chunk);
          });
          res.on('aborted', () => fail(new ConnectionError('The connection closed before the body ended')));
          res.on('error', (error) => fail(new ConnectionError(error.message, { cause: error })));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            const headers: [string, string][] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2)
              headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
            const body = Buffer.concat(chunks);
            resolve({
              status: res.statusCode!,
              reason: res.statusMessage ?? '',
              version: res.httpVersion,
              headers,
              body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
            });
          });
        });
        if (body instanceof Uint8Array || body === undefined) req.end(body);
        else
          Readable.fromWeb(body as WebReadableStream<Uint8Array>)
            .on('error', fail)
            .pipe(req);
      });
    },
    async close() {
      agent.destroy();
      secureAgent.destroy();
    },
  };
}

function abortReason(signal: AbortSignal): unknown {
  return isAsyncHttpError(signal.reason)
    ? signal.reason
    : new CancelledError('Request aborted', { cause: signal.reason });
}
