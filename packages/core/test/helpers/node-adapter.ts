// A minimal adapter on node:http, for core's own tests only: core may not depend on the adapter
// packages. It follows the contract: one exchange, keep-alive, abort through the signal.
import http from 'node:http';
import { type Adapter, CancelledError, ConnectionError } from '../../src/index.js';

export function nodeAdapter(): Adapter & { agent: http.Agent; sent: number } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const adapter = {
    name: 'node-http (test)',
    agent,
    sent: 0,
    send(request: Parameters<Adapter['send']>[0]) {
      adapter.sent++;
      return new Promise<Awaited<ReturnType<Adapter['send']>>>((resolve, reject) => {
        const { signal } = request;
        if (signal.aborted) return reject(signal.reason);
        const req = http.request(request.url, { method: request.method, agent });
        for (const [name, value] of request.headers) req.appendHeader(name, value);
        const onAbort = () => {
          req.destroy();
          reject(signal.reason ?? new CancelledError('aborted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        req.on('error', (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(signal.aborted ? signal.reason : new ConnectionError(error.message, { cause: error }));
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', () => {});
          res.on('end', () => {
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
        req.end(request.body);
      });
    },
    async close() {
      // A socket is handed back to the pool a tick after its response ends; destroy after that.
      await new Promise((resolve) => setImmediate(resolve));
      agent.destroy();
    },
  };
  return adapter;
}
