import * as http from 'node:http';
import { axiosAdapter } from '@asynchttp/axios';
import { Http, type HttpOptions, MemoryCacheStore } from '@asynchttp/core';
import { fetchAdapter } from '@asynchttp/fetch';
import { undiciAdapter } from '@asynchttp/undici';
import axios from 'axios';
import got from 'got';
import ky from 'ky';
import PQueue from 'p-queue';
import { Agent, request } from 'undici';

/**
 * How a client is driven:
 * - `loops`: C async loops, each awaiting one request after the other (the caller bounds concurrency);
 * - `all`: all N requests issued at once, the client bounds concurrency to C (latency then includes
 *   the time spent waiting in its queue).
 */
export type Mode = 'loops' | 'all';

/** One client set up for one measurement: `one()` does a whole request and resolves its body's size. */
export interface Session {
  one(): Promise<number>;
  close(): Promise<void>;
}

/** A client under test. `open` runs outside the timed section (agents, instances, queues). */
export interface Client {
  readonly name: string;
  readonly mode: Mode;
  /** The client every row is compared with (raw undici, C loops). */
  readonly baseline?: boolean;
  open(url: string, concurrency: number): Session;
}

/** A keep-alive node:http agent, as axios and got users are told to configure. */
function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true });
}

// Each `one` below is the whole hot path of its client: issue, read the full body, return its length.

/** Raw undici `request()`, awaited in C loops, through an Agent of its own (default options). */
export const undiciLoops: Client = {
  name: 'undici request',
  mode: 'loops',
  baseline: true,
  open(url) {
    const dispatcher = new Agent();
    return {
      one: async () => (await (await request(url, { dispatcher })).body.bytes()).byteLength,
      close: () => dispatcher.close(),
    };
  },
};

/** Raw undici `request()`, all N at once into an Agent limited to C connections (undici queues the rest). */
export const undiciAll: Client = {
  name: 'undici request, Agent({ connections: C })',
  mode: 'all',
  open(url, concurrency) {
    const dispatcher = new Agent({ connections: concurrency });
    return {
      one: async () => (await (await request(url, { dispatcher })).body.bytes()).byteLength,
      close: () => dispatcher.close(),
    };
  },
};

/** p-queue (concurrency C) over raw undici `request()`: what asynchttp's queue is built on. */
export const pQueueUndici: Client = {
  name: 'p-queue + undici request',
  mode: 'all',
  open(url, concurrency) {
    const dispatcher = new Agent();
    const queue = new PQueue({ concurrency });
    const get = async () => (await (await request(url, { dispatcher })).body.bytes()).byteLength;
    return {
      one: () => queue.add(get),
      close: () => dispatcher.close(),
    };
  },
};

/** asynchttp with its default options but `maxWorkers: C`, plus `extra` (a named variation). */
function asynchttp(
  name: string,
  adapter: () => HttpOptions['adapter'],
  extra?: Partial<HttpOptions>,
  mode: Mode = 'all',
): Client {
  return {
    name,
    mode,
    open(url, concurrency) {
      const client = new Http({ adapter: adapter(), maxWorkers: concurrency, ...extra });
      return {
        one: async () => (await client.request(url)).content.byteLength,
        close: () => client.close(),
      };
    },
  };
}

export const asynchttpUndici = asynchttp('asynchttp + undici', () => undiciAdapter());
export const asynchttpUndiciNoCallSite = asynchttp(
  'asynchttp + undici, captureCallSite: false',
  () => undiciAdapter(),
  { captureCallSite: false },
);
/** Awaited in C loops like raw undici, so its latency has no queue wait: the C = 1 latency target. */
export const asynchttpUndiciLoops = asynchttp(
  'asynchttp + undici, C loops',
  () => undiciAdapter(),
  undefined,
  'loops',
);
/**
 * Cache hits: the server marks the body fresh for an hour and the warm-up stores it, so every timed
 * request is answered from a MemoryCacheStore without the network or a worker slot.
 */
export const asynchttpUndiciCached: Client = {
  name: 'asynchttp + undici, cache hits',
  mode: 'all',
  open(url, concurrency) {
    const client = new Http({
      adapter: undiciAdapter(),
      maxWorkers: concurrency,
      cache: new MemoryCacheStore(),
    });
    const cached = `${url}?cache`;
    return {
      one: async () => (await client.request(cached)).content.byteLength,
      close: () => client.close(),
    };
  },
};
export const asynchttpFetch = asynchttp('asynchttp + fetch', () => fetchAdapter());
export const asynchttpAxios = asynchttp('asynchttp + axios', () => axiosAdapter());

/** The runtime's global `fetch`, awaited in C loops. */
export const fetchLoops: Client = {
  name: 'fetch',
  mode: 'loops',
  open(url) {
    return {
      one: async () => (await (await fetch(url)).arrayBuffer()).byteLength,
      close: async () => {},
    };
  },
};

/** axios with a keep-alive agent, the whole body as bytes, awaited in C loops. */
export const axiosLoops: Client = {
  name: 'axios (keep-alive agent)',
  mode: 'loops',
  open(url) {
    const httpAgent = keepAliveAgent();
    const instance = axios.create({ httpAgent, responseType: 'arraybuffer' });
    return {
      one: async () => ((await instance.get(url)).data as Buffer).byteLength,
      close: async () => httpAgent.destroy(),
    };
  },
};

/** got with a keep-alive agent, awaited in C loops (a peer, with its defaults). */
export const gotLoops: Client = {
  name: 'got (keep-alive agent)',
  mode: 'loops',
  open(url) {
    const agent = keepAliveAgent();
    const instance = got.extend({ agent: { http: agent } });
    return {
      one: async () => (await instance(url).buffer()).byteLength,
      close: async () => agent.destroy(),
    };
  },
};

/** ky (on the global fetch), awaited in C loops (a peer, with its defaults). */
export const kyLoops: Client = {
  name: 'ky',
  mode: 'loops',
  open(url) {
    return {
      one: async () => (await ky.get(url).arrayBuffer()).byteLength,
      close: async () => {},
    };
  },
};

/** Every client, in the order of the table; the baseline first. */
export const clients: readonly Client[] = [
  undiciLoops,
  undiciAll,
  pQueueUndici,
  asynchttpUndici,
  asynchttpUndiciNoCallSite,
  asynchttpUndiciLoops,
  asynchttpUndiciCached,
  asynchttpFetch,
  asynchttpAxios,
  fetchLoops,
  axiosLoops,
  gotLoops,
  kyLoops,
];
