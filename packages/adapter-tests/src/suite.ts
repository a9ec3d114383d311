import { createServer } from 'node:net';
import {
  type Adapter,
  type AdapterRequest,
  type AdapterResponse,
  CancelledError,
  Http,
  type HttpOptions,
  isAsyncHttpError,
  TimeoutError,
} from '@asynchttp/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { caseTest } from './case-test.js';
import { type AdapterCase, adapterCases } from './cases.js';
import { fixtures } from './fixtures.js';
import { testParity } from './parity.js';
import { makePayloads, type Payloads, type SuiteServer, startServer } from './server.js';

/** What the suite asks of `create()`: settings an adapter must apply to the adapter it returns. */
export interface AdapterTestOptions {
  /** TLS settings; `ca` is a PEM certificate authority to trust (in addition to or instead of the system's). */
  tls?: { ca?: string | undefined } | undefined;
}

/** Options of `testAdapter`. */
export interface TestAdapterOptions {
  /** Shown in the `describe()` title, such as `'undici'`. */
  name: string;
  /** Returns a fresh adapter on each call; the suite closes every adapter it creates. */
  create: (options?: AdapterTestOptions) => Adapter;
  /**
   * Cases the adapter cannot pass by nature, each with the reason. They are registered with
   * `test.skip`, the reason in the title, and the reason is printed with `console.warn`.
   */
  skip?: Partial<Record<AdapterCase, string>> | undefined;
}

// Each case runs in well under a second on loopback; the bound only keeps a hanging adapter from
// stalling the run.
// How long a failure may take to surface once its trigger happened.
const promptly = 2_000;
const mib = 1024 * 1024;
// The flood body, and what may sit in kernel and library buffers between the two ends of a loopback
// connection (a few MiB each way on Linux with autotuning) beyond what the adapter read.
const floodMib = 256;
const socketSlack = 32 * mib;
const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND'];

/**
 * Registers the conformance suite for one adapter as a vitest `describe()` block. The suite starts its
 * own loopback HTTP and HTTPS servers and checks the adapter through `new Http({ adapter })` and through
 * `adapter.send()` directly.
 *
 * @example
 * ```ts
 * import { testAdapter } from '@asynchttp/adapter-tests';
 * import { undiciAdapter } from '../src/index.js';
 *
 * testAdapter({ name: 'undici', create: (o) => undiciAdapter({ ca: o?.tls?.ca }) });
 * ```
 */
export function testAdapter(options: TestAdapterOptions): void {
  const { name, create, skip = {} } = checkOptions(options);
  testParity({ name, create: () => create(), skip });

  describe(`adapter conformance: ${name}`, () => {
    let payloads: Payloads;
    let server: SuiteServer;
    let secure: SuiteServer;
    let untrusted: SuiteServer;
    // Only the leak case uses this one, so connections other cases keep cannot blur its count.
    let quiet: SuiteServer;
    let run = 0;

    beforeAll(async () => {
      payloads = makePayloads();
      [server, secure, untrusted, quiet] = await Promise.all([
        startServer(payloads),
        startServer(payloads, { tls: { cert: fixtures.server.cert, key: fixtures.server.key } }),
        startServer(payloads, { tls: { cert: fixtures.untrusted.cert, key: fixtures.untrusted.key } }),
        startServer(payloads),
      ]);
    });

    afterAll(async () => {
      await Promise.all([server, secure, untrusted, quiet].map((each) => each?.close()));
    });

    const check = (id: AdapterCase, title: string, fn: () => Promise<void>) =>
      caseTest(name, id, title, skip[id], fn);

    /** A fresh adapter behind an `Http`, closed after `fn` however it ends. */
    const withHttp = async (
      fn: (http: Http) => Promise<void>,
      httpOptions: Omit<HttpOptions, 'adapter'> = {},
      adapterOptions?: AdapterTestOptions,
    ) => {
      const http = new Http({ logger: false, ...httpOptions, adapter: create(adapterOptions) });
      try {
        await fn(http);
      } finally {
        await within(http.close(), promptly, 'http.close()');
      }
    };

    /** A fresh adapter used directly, closed after `fn`. */
    const withAdapter = async (
      fn: (adapter: Adapter) => Promise<void>,
      adapterOptions?: AdapterTestOptions,
    ) => {
      const adapter = create(adapterOptions);
      try {
        await fn(adapter);
      } finally {
        await within(Promise.resolve(adapter.close?.()), promptly, 'adapter.close()');
      }
    };

    const tag = (what: string) => `${what}-${++run}`;

    check('methods', 'every method, a custom token included, arrives as sent', async () => {
      await withHttp(async (http) => {
        for (const method of methods) {
          const target = `/echo?m=${tag(method)}`;
          const hasBody = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
          const { response } = await http.request(server.url + target, {
            method,
            body: hasBody ? 'payload' : undefined,
          });
          expect(response.status, method).toBe(200);
          expect(response.headers['x-method'], method).toBe(method);
          const seen = server.seen(target);
          expect(seen.map((each) => each.method)).toEqual([method]);
          if (hasBody) expect(seen[0]!.body.toString(), method).toBe('payload');
        }
      });
      await withAdapter(async (adapter) => {
        const target = `/echo?m=${tag('direct')}`;
        const response = await send(adapter, server.url + target, { method: 'PROPFIND' });
        expect(response.status).toBe(200);
        expect(server.seen(target).map((each) => each.method)).toEqual(['PROPFIND']);
      });
    });

    check('binary-bodies', '1 MiB of random bytes arrives byte-exact both ways', async () => {
      await withHttp(async (http) => {
        const target = `/echo-body?${tag('bin')}`;
        const { response, content } = await http.request(server.url + target, {
          method: 'POST',
          body: payloads.small,
        });
        expect(response.status).toBe(200);
        expectSameBytes(server.seen(target)[0]?.body, payloads.small, 'request body at the server');
        expectSameBytes(await content.bytes(), payloads.small, 'echoed response body');
        const download = await http.request(`${server.url}/bytes/1m`);
        expectSameBytes(await download.content.bytes(), payloads.small, 'downloaded body');
      });
      await withAdapter(async (adapter) => {
        const target = `/echo-body?${tag('bin')}`;
        const echoed = await send(adapter, server.url + target, { method: 'POST', body: payloads.small });
        expectSameBytes(server.seen(target)[0]?.body, payloads.small, 'request body at the server');
        expectSameBytes(echoed.body, payloads.small, 'echoed response body');
        const download = await send(adapter, `${server.url}/bytes/1m`);
        expectSameBytes(download.body, payloads.small, 'downloaded body');
      });
    });

    check('url-encoding', 'percent-encoded paths and query strings arrive unchanged', async () => {
      const target = '/a%20b/%E2%9C%93?q=1&r=%26';
      await withHttp(async (http) => {
        const before = server.seen(target).length;
        const { content } = await http.request(server.url + target);
        expect(((await content.json()) as { url: string }).url).toBe(target);
        expect(server.seen(target).length).toBe(before + 1);
      });
      await withAdapter(async (adapter) => {
        const response = await send(adapter, server.url + target);
        expect(JSON.parse(new TextDecoder().decode(response.body)).url).toBe(target);
      });
    });

    check('large-response', 'a 20 MiB body arrives whole', async () => {
      await withHttp(async (http) => {
        const { response, content } = await http.request(`${server.url}/bytes/20m`);
        expect(response.status).toBe(200);
        expectSameBytes(await content.bytes(), payloads.large, '20 MiB body');
      });
    });

    check('request-headers', 'request headers arrive, repeated ones too', async () => {
      await withHttp(async (http) => {
        const target = `/echo?${tag('headers')}`;
        await http.request(server.url + target, {
          headers: { 'x-custom': 'hello', 'x-twice': ['1', '2'], authorization: 'Bearer t0ken' },
        });
        const seen = server.seen(target)[0]!;
        expect(seen.headers['x-custom']).toBe('hello');
        expect(seen.headers['x-twice']).toBe('1, 2');
        expect(seen.headers.authorization).toBe('Bearer t0ken');
      });
      await withAdapter(async (adapter) => {
        const target = `/echo?${tag('headers')}`;
        await send(adapter, server.url + target, { headers: [['x-direct', 'yes']] });
        expect(server.seen(target)[0]!.headers['x-direct']).toBe('yes');
      });
    });

    check(
      'repeated-response-headers',
      'two set-cookie stay two in rawHeaders, joined in headers',
      async () => {
        await withHttp(async (http) => {
          const { response } = await http.request(`${server.url}/headers`);
          const cookies = response.rawHeaders.filter(([key]) => key.toLowerCase() === 'set-cookie');
          expect(cookies.map(([, value]) => value)).toEqual(['a=1; Path=/', 'b=2; Path=/']);
          expect(response.headers['set-cookie']).toBe('a=1; Path=/, b=2; Path=/');
          expect(response.headers['x-repeated']).toBe('one, two');
        });
        await withAdapter(async (adapter) => {
          const response = await send(adapter, `${server.url}/headers`);
          const cookies = response.headers.filter(([key]) => key.toLowerCase() === 'set-cookie');
          expect(cookies.length).toBe(2);
        });
      },
    );

    check('empty-bodies', '204, 304 and HEAD have empty bodies', async () => {
      await withHttp(async (http) => {
        for (const status of [204, 304]) {
          const { response, content } = await http.request(`${server.url}/status/${status}`);
          expect(response.status).toBe(status);
          expect((await content.bytes()).byteLength, String(status)).toBe(0);
        }
        const { response, content } = await http.request(`${server.url}/bytes/1m`, { method: 'HEAD' });
        expect(response.status).toBe(200);
        expect(response.headers['content-length']).toBe(String(mib));
        expect((await content.bytes()).byteLength, 'HEAD').toBe(0);
      });
      await withAdapter(async (adapter) => {
        expect((await send(adapter, `${server.url}/status/204`)).body.byteLength).toBe(0);
        expect((await send(adapter, `${server.url}/bytes/1m`, { method: 'HEAD' })).body.byteLength).toBe(0);
      });
    });

    check('error-statuses', '404 and 500 are responses, not errors', async () => {
      await withHttp(async (http) => {
        for (const status of [404, 500]) {
          const { response, content } = await http.request(`${server.url}/status/${status}`);
          expect(response.status).toBe(status);
          expect(await content.text()).toBe(`status ${status}`);
        }
      });
      await withAdapter(async (adapter) => {
        const response = await send(adapter, `${server.url}/status/500`);
        expect(response.status).toBe(500);
        expect(response.reason).toBe('Internal Server Error');
      });
    });

    check('redirect-not-followed', 'adapter.send returns a 302 with its location, unfollowed', async () => {
      await withAdapter(async (adapter) => {
        const before = server.seen('/target').length;
        const response = await send(adapter, `${server.url}/status/302`);
        expect(response.status).toBe(302);
        expect(header(response, 'location')).toBe('/target');
        expect(server.seen('/target').length).toBe(before);
      });
    });

    check('content-encoding', 'a gzip body is passed raw, or decoded and flagged', async () => {
      await withAdapter(async (adapter) => {
        const response = await send(adapter, `${server.url}/gzip`, {
          headers: [['accept-encoding', 'gzip']],
        });
        expect(response.status).toBe(200);
        if (response.decoded) {
          expect(new TextDecoder().decode(response.body)).toBe(payloads.text);
        } else {
          expectSameBytes(response.body, payloads.gzipped, 'raw gzip body (decoded is falsy)');
        }
      });
    });

    check(
      'abort-before-headers',
      'aborting while waiting for headers rejects with CancelledError',
      async () => {
        await withHttp(async (http) => {
          const target = `/hang?${tag('abort')}`;
          const arrived = server.arrived(target);
          const request = http.request(server.url + target);
          await within(arrived, promptly, 'the request to reach the server');
          request.cancel();
          await expectFailure(request.response, 'CancelledError');
        });
        await withAdapter(async (adapter) => {
          const target = `/hang?${tag('abort')}`;
          const arrived = server.arrived(target);
          const controller = new AbortController();
          const sent = send(adapter, server.url + target, { controller });
          await within(arrived, promptly, 'the request to reach the server');
          controller.abort(new CancelledError('cancelled by the suite'));
          await expectFailure(sent, 'CancelledError');
        });
      },
    );

    check('abort-during-body', 'aborting while the body is read rejects with CancelledError', async () => {
      await withHttp(async (http) => {
        const target = `/slow-body?${tag('abort')}`;
        const arrived = server.arrived(target);
        const request = http.request(server.url + target);
        await within(arrived, promptly, 'the request to reach the server');
        await sleep(120);
        request.cancel();
        await expectFailure(request.response, 'CancelledError');
      });
      await withAdapter(async (adapter) => {
        const target = `/slow-body?${tag('abort')}`;
        const arrived = server.arrived(target);
        const controller = new AbortController();
        const sent = send(adapter, server.url + target, { controller });
        await within(arrived, promptly, 'the request to reach the server');
        await sleep(120);
        controller.abort(new CancelledError('cancelled by the suite'));
        await expectFailure(sent, 'CancelledError');
      });
    });

    check('stream-response', 'adapter.send with stream: true hands the body back unread', async () => {
      await withAdapter(async (adapter) => {
        const whole = await adapter.send(sendRequest(`${server.url}/bytes/20m`, { stream: true }));
        expect(whole.status).toBe(200);
        expect(whole.body, 'the body is a ReadableStream').toBeInstanceOf(ReadableStream);
        const chunks: Uint8Array[] = [];
        for await (const chunk of whole.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
        expectSameBytes(Buffer.concat(chunks), payloads.large, 'streamed body');

        // Resolves while the server is still sending (it never ends), and the stream can be cancelled.
        const target = `/slow-body?${tag('stream')}`;
        const endless = await within(
          adapter.send(sendRequest(server.url + target, { stream: true })),
          promptly,
          'the headers of a body that never ends',
        );
        const reader = (endless.body as ReadableStream<Uint8Array>).getReader();
        expect((await reader.read()).value?.byteLength).toBeGreaterThan(0);
        const closed = server.closed(target);
        await within(reader.cancel(), promptly, 'cancelling the stream');
        await within(closed, promptly, 'the connection of a cancelled body to close');

        const controller = new AbortController();
        const aborted = await adapter.send(sendRequest(server.url + target, { stream: true, controller }));
        const body = (aborted.body as ReadableStream<Uint8Array>).getReader();
        await body.read();
        controller.abort(new CancelledError('cancelled by the suite'));
        await expectFailure(
          (async () => {
            for (;;) if ((await body.read()).done) return;
          })(),
          'CancelledError',
        );

        const upload = new Blob([payloads.small as Uint8Array<ArrayBuffer>]).stream();
        const echoed = await send(adapter, `${server.url}/echo-body?${tag('stream-up')}`, {
          method: 'POST',
          body: upload,
        });
        expectSameBytes(echoed.body, payloads.small, 'a stream request body echoed');
      });
    });

    check('timeout', 'a server that never answers plus a short timeout gives TimeoutError', async () => {
      await withHttp(
        async (http) => {
          const started = Date.now();
          await expectFailure(http.request(`${server.url}/hang?${tag('timeout')}`).response, 'TimeoutError');
          expect(Date.now() - started).toBeGreaterThanOrEqual(150);
        },
        { timeout: 200 },
      );
      await withAdapter(async (adapter) => {
        const controller = new AbortController();
        const sent = send(adapter, `${server.url}/hang?${tag('timeout')}`, { controller });
        await sleep(50);
        controller.abort(new TimeoutError('timed out by the suite'));
        await expectFailure(sent, 'TimeoutError');
      });
    });

    check('connection-refused', 'a refused connection gives ConnectionError', async () => {
      const url = `http://127.0.0.1:${await closedPort()}/`;
      await withHttp(async (http) => {
        await expectFailure(http.request(url).response, 'ConnectionError');
      });
      await withAdapter(async (adapter) => {
        await expectFailure(send(adapter, url), 'ConnectionError');
      });
    });

    check('connection-reset', 'a socket destroyed mid-body gives ConnectionError', async () => {
      await withHttp(async (http) => {
        await expectFailure(http.request(`${server.url}/cut?${tag('cut')}`).response, 'ConnectionError');
      });
      await withAdapter(async (adapter) => {
        await expectFailure(send(adapter, `${server.url}/cut?${tag('cut')}`), 'ConnectionError');
      });
    });

    check('no-socket-leak', 'after failures and close(), the server sees no open connection', async () => {
      await expectNoConnections(quiet, 'before the first scenario');
      const scenarios: [string, (http: Http) => Promise<void>][] = [
        [
          'a completed request (pooled connection)',
          async (http) => {
            const { response } = await http.request(`${quiet.url}/?${tag('leak')}`);
            expect(response.status).toBe(200);
          },
        ],
        [
          'abort before headers',
          async (http) => {
            const target = `/hang?${tag('leak')}`;
            const arrived = quiet.arrived(target);
            const request = http.request(quiet.url + target);
            await within(arrived, promptly, 'the request to reach the server');
            request.cancel();
            await request.wait();
          },
        ],
        [
          'abort during body',
          async (http) => {
            const target = `/slow-body?${tag('leak')}`;
            const arrived = quiet.arrived(target);
            const request = http.request(quiet.url + target);
            await within(arrived, promptly, 'the request to reach the server');
            await sleep(60);
            request.cancel();
            await request.wait();
          },
        ],
        [
          'timeout',
          async (http) => {
            await http.request(`${quiet.url}/hang?${tag('leak')}`, { timeout: 100 }).wait();
          },
        ],
        [
          'socket destroyed mid-body',
          async (http) => {
            await http.request(`${quiet.url}/cut?${tag('leak')}`).wait();
          },
        ],
        [
          'response too large',
          async (http) => {
            await http.request(`${quiet.url}/bytes/1m`).wait();
          },
        ],
      ];
      for (const [scenario, fn] of scenarios) {
        await withHttp(fn, { maxResponseBytes: 1024 });
        await expectNoConnections(quiet, `after ${scenario} and http.close()`);
      }
    });

    check(
      'response-too-large',
      'adapter.send stops past maxResponseBytes with ResponseTooLargeError',
      async () => {
        await withAdapter(async (adapter) => {
          await expectFailure(
            send(adapter, `${server.url}/bytes/1m`, { maxResponseBytes: 1024 }),
            'ResponseTooLargeError',
          );
        });
      },
    );

    check(
      'response-too-large-http',
      'through Http, maxResponseBytes gives ResponseTooLargeError',
      async () => {
        await withHttp(
          async (http) => {
            await expectFailure(http.request(`${server.url}/bytes/1m`).response, 'ResponseTooLargeError');
          },
          { maxResponseBytes: 1024 },
        );
      },
    );

    check(
      'response-too-large-stops-reading',
      'past maxResponseBytes the adapter stops reading a 256 MiB body and closes its connection',
      async () => {
        const limit = mib;
        const via = async (what: string, start: (url: string) => PromiseLike<unknown>) => {
          const target = `/flood/${floodMib}?${tag('flood')}`;
          await expectFailure(start(`${server.url}${target}`), 'ResponseTooLargeError');
          const state = server.flooded(target);
          expect(state, `${what}: the request reached the server`).toBeDefined();
          // Draining the rest to keep the connection would take the whole body: it must be closed.
          await within(state!.closed, promptly, `${what}: the server to see the connection closed`);
          expect(state!.finished, `${what}: the adapter read the whole body`).toBe(false);
          expect(
            state!.written,
            `${what}: bytes the server could write (limit ${limit}); the adapter kept reading`,
          ).toBeLessThan(limit + socketSlack);
        };
        await withAdapter(async (adapter) => {
          await via('adapter.send', (url) => send(adapter, url, { maxResponseBytes: limit }));
        });
        await withHttp(
          async (http) => {
            await via('Http', (url) => http.request(url).response);
          },
          { maxResponseBytes: limit, retry: false },
        );
      },
    );

    check('keep-alive', '100 sequential requests use at most 4 connections', async () => {
      await withHttp(
        async (http) => {
          const prefix = `/echo?${tag('keep-alive')}`;
          for (let i = 0; i < 100; i++) {
            const { response } = await http.request(`${server.url}${prefix}&i=${i}`);
            expect(response.status).toBe(200);
          }
          const seen = server.seen(prefix);
          expect(seen.length).toBe(100);
          expect(new Set(seen.map((each) => each.connection)).size).toBeLessThanOrEqual(4);
        },
        { maxWorkers: 1 },
      );
    });

    check('parallel-connections', '16 concurrent requests run on parallel connections', async () => {
      await withHttp(
        async (http) => {
          const prefix = `/hold/100?${tag('parallel')}`;
          server.resetPeak();
          const requests = Array.from({ length: 16 }, (_, i) =>
            http.request(`${server.url}${prefix}&i=${i}`),
          );
          const responses = await Promise.all(requests.map((request) => request.response));
          expect(responses.every((response) => response.status === 200)).toBe(true);
          const seen = server.seen(prefix);
          expect(seen.length).toBe(16);
          expect(server.peakInFlight).toBeGreaterThanOrEqual(8);
          expect(new Set(seen.map((each) => each.connection)).size).toBeGreaterThanOrEqual(8);
        },
        { maxWorkers: 16 },
      );
    });

    check('https-custom-ca', 'HTTPS works with a custom CA', async () => {
      const tls = { tls: { ca: fixtures.ca } };
      await withHttp(
        async (http) => {
          const { response, content } = await http.request(`${secure.url}/echo?${tag('tls')}`);
          expect(response.status).toBe(200);
          expect(((await content.json()) as { method: string }).method).toBe('GET');
          const download = await http.request(`${secure.url}/bytes/1m`);
          expectSameBytes(await download.content.bytes(), payloads.small, 'body over TLS');
        },
        {},
        tls,
      );
      await withAdapter(async (adapter) => {
        expect((await send(adapter, `${secure.url}/echo`)).status).toBe(200);
      }, tls);
    });

    check('https-untrusted', 'an untrusted certificate fails with ConnectionError', async () => {
      await withHttp(
        async (http) => {
          await expectFailure(http.request(`${untrusted.url}/echo`).response, 'ConnectionError');
        },
        {},
        { tls: { ca: fixtures.ca } },
      );
      await withAdapter(async (adapter) => {
        await expectFailure(send(adapter, `${untrusted.url}/echo`), 'ConnectionError');
      });
    });
  });
}

function checkOptions(options: TestAdapterOptions): TestAdapterOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('testAdapter(options) takes an object: { name, create, skip? }');
  }
  if (typeof options.name !== 'string' || options.name === '') {
    throw new TypeError('testAdapter: name must be a non-empty string');
  }
  if (typeof options.create !== 'function') {
    throw new TypeError('testAdapter: create must be a function that returns a fresh adapter');
  }
  const known: readonly string[] = adapterCases;
  for (const [id, reason] of Object.entries(options.skip ?? {})) {
    // A typo in a case id would otherwise run the case, or worse, silently skip nothing.
    if (!known.includes(id)) {
      throw new TypeError(
        `testAdapter: unknown case "${id}" in skip; known cases: ${adapterCases.join(', ')}`,
      );
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new TypeError(`testAdapter: skip["${id}"] needs a reason (a non-empty string)`);
    }
  }
  return options;
}

interface SendOptions {
  method?: string | undefined;
  headers?: [string, string][] | undefined;
  body?: Uint8Array | ReadableStream<Uint8Array> | undefined;
  maxResponseBytes?: number | undefined;
  controller?: AbortController | undefined;
  stream?: boolean | undefined;
}

/** A response read whole: what `adapter.send` gives without `stream`. */
type WholeResponse = AdapterResponse & { body: Uint8Array };

/** One exchange through `adapter.send`, with the request built as core would build it. */
async function send(adapter: Adapter, url: string, options: SendOptions = {}): Promise<WholeResponse> {
  const response = await adapter.send(sendRequest(url, options));
  expect(response.body, 'without stream: true, the body is a Uint8Array').toBeInstanceOf(Uint8Array);
  return response as WholeResponse;
}

function sendRequest(url: string, options: SendOptions): AdapterRequest {
  return {
    url: new URL(url),
    method: options.method ?? 'GET',
    headers: options.headers ?? [],
    body: options.body,
    signal: (options.controller ?? new AbortController()).signal,
    // A streamed body is bounded by its reader only: core passes no limit then.
    maxResponseBytes: options.stream ? undefined : (options.maxResponseBytes ?? 64 * mib),
    stream: options.stream,
  };
}

function header(response: AdapterResponse, name: string): string | undefined {
  return response.headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

/** Asserts that `promise` rejects, promptly, with the asynchttp error called `name`. */
async function expectFailure(promise: PromiseLike<unknown>, name: string): Promise<void> {
  let outcome: { value: unknown } | { error: unknown };
  try {
    outcome = { value: await within(Promise.resolve(promise), promptly, `a ${name}`) };
  } catch (error) {
    outcome = { error };
  }
  if ('value' in outcome) throw new Error(`Expected a ${name}, but the request succeeded`);
  const { error } = outcome;
  const seen = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // Names, not classes: the adapter may load another copy of core than the suite does.
  expect(isAsyncHttpError(error), `expected an asynchttp ${name}, got ${seen}`).toBe(true);
  expect((error as Error).name, `expected ${name}, got ${seen}`).toBe(name);
}

function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  expect(actual, what).toBeInstanceOf(Uint8Array);
  expect(actual!.byteLength, `${what}: length`).toBe(expected.byteLength);
  // Buffer.equals compares natively; a deep equal over megabytes is slow and prints huge diffs.
  const same = Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength).equals(expected);
  expect(same, `${what}: bytes differ`).toBe(true);
}

/** Polls until the server has no open connection, for at most 2 s. */
async function expectNoConnections(server: SuiteServer, when: string): Promise<void> {
  const deadline = Date.now() + promptly;
  while (server.openConnections > 0 && Date.now() < deadline) await sleep(20);
  expect(server.openConnections, `open connections at the server ${when}`).toBe(0);
}

/** Rejects if `promise` has not settled after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port that was just bound and released, so connecting to it is refused. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
