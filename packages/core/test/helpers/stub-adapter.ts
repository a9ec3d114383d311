// A stub adapter for queue-ordering tests only: it answers when told to, so order is observable
// without timing. Everything else in core's suite talks to a real loopback server.
import type { Adapter, AdapterRequest, AdapterResponse } from '../../src/index.js';

export interface Gate {
  request: AdapterRequest;
  answer(status?: number): void;
}

export function stubAdapter(): Adapter & { started: Gate[]; closed: number } {
  const adapter = {
    name: 'stub (test)',
    started: [] as Gate[],
    closed: 0,
    send(request: AdapterRequest): Promise<AdapterResponse> {
      return new Promise((resolve, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
        adapter.started.push({
          request,
          answer: (status = 200) => resolve({ status, reason: 'OK', headers: [], body: new Uint8Array() }),
        });
      });
    },
    async close() {
      adapter.closed++;
    },
  };
  return adapter;
}

/** Lets pending microtasks and immediate callbacks run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
