import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConnectionError, Content, Http, NotReadyError, Response } from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let http: Http;
beforeAll(async () => {
  server = await startServer();
  http = new Http({ adapter: nodeAdapter() });
});
afterAll(async () => {
  await http.close();
  await server.close();
});

describe('request()', () => {
  test('returns at once, before any network work', () => {
    const before = server.hits;
    const request = http.request(`${server.url}/delay/50`);
    expect(request.done()).toBe(false);
    expect(server.hits).toBe(before);
    expect(typeof request.id).toBe('number');
    return request.wait();
  });

  test('is iterable into response, content and data promise objects', async () => {
    const [response, content, data] = http.request(`${server.url}/json`);
    expect((await response).status).toBe(200);
    expect(await content.json()).toEqual({ hello: 'world' });
    expect(await data).toBeUndefined();
    expect(response.status).toBe(200);
  });

  test('is thenable: await gives the settled response, content and data', async () => {
    const { response, content, data } = await http.request(`${server.url}/json`);
    expect(response).toBeInstanceOf(Response);
    expect(content).toBeInstanceOf(Content);
    expect(content.json()).toEqual({ hello: 'world' });
    expect(data).toBeUndefined();
  });

  test('the httplib2 positional form sends method, body and headers', async () => {
    const { content } = await http.request(`${server.url}/echo`, 'PUT', 'payload', { 'x-test': 'yes' });
    const echoed = content.json<{ method: string; body: string; headers: Record<string, string> }>();
    expect(echoed.method).toBe('PUT');
    expect(echoed.body).toBe('payload');
    expect(echoed.headers['x-test']).toBe('yes');
  });

  test('json, URLSearchParams and bytes bodies are encoded with a content-type', async () => {
    const json = (
      await http.request(`${server.url}/echo`, { method: 'post', json: { a: [1] } })
    ).content.json<any>();
    expect(json).toMatchObject({ method: 'POST', body: '{"a":[1]}' });
    expect(json.headers['content-type']).toBe('application/json');
    const form = (
      await http.request(`${server.url}/echo`, { method: 'POST', body: new URLSearchParams({ q: 'a b' }) })
    ).content.json<any>();
    expect(form.body).toBe('q=a+b');
    expect(form.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const bytes = (
      await http.request(`${server.url}/echo`, { method: 'POST', body: new Uint8Array([104, 105]).buffer })
    ).content.json<any>();
    expect(bytes.body).toBe('hi');
    const custom = (
      await http.request(`${server.url}/echo`, {
        method: 'POST',
        json: 1,
        headers: { 'content-type': 'application/vnd.x+json' },
      })
    ).content.json<any>();
    expect(custom.headers['content-type']).toBe('application/vnd.x+json');
  });

  test('default headers are sent; a request header of the same name replaces them', async () => {
    const client = new Http({ adapter: nodeAdapter(), headers: { 'x-a': 'default', 'x-b': 'default' } });
    const echoed = (
      await client.request(`${server.url}/echo`, { headers: [['X-B', 'own']] })
    ).content.json<any>();
    expect(echoed.headers['x-a']).toBe('default');
    expect(echoed.headers['x-b']).toBe('own');
    await client.close();
  });
});

describe('ResponsePromise', () => {
  test('sync getters throw NotReadyError while pending, with a message that says to await', async () => {
    const request = http.request(`${server.url}/delay/30`);
    expect(() => request.response.status).toThrow(NotReadyError);
    expect(() => request.response.status).toThrow(/await/);
    expect(() => request.response.get('content-type')).toThrow(NotReadyError);
    expect(request.response.done()).toBe(false);
    await request.response;
    expect(request.response.done()).toBe(true);
    expect(request.response.status).toBe(200);
    expect(request.response.reason).toBe('OK');
    expect(request.response.version).toBe('1.1');
    expect(request.response.url).toBe(`${server.url}/delay/30`);
    expect(request.response.fromCache).toBe(false);
    expect(request.response.previous).toBeUndefined();
    expect(request.response.headers['content-length']).toBe('9');
    expect(request.response.get('Content-Length')).toBe('9');
  });

  test('repeated fields stay apart in rawHeaders and are joined in headers', async () => {
    const response = await http.request(`${server.url}/twice`).response;
    expect(response.rawHeaders.filter(([name]) => name.toLowerCase() === 'set-cookie')).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
  });

  test('status codes never throw', async () => {
    const [notFound, failed] = [
      http.request(`${server.url}/status/404`),
      http.request(`${server.url}/status/500`),
    ];
    expect((await notFound.response).status).toBe(404);
    expect((await failed.response).status).toBe(500);
    expect(String(failed.content)).toBe('status 500');
  });

  test('getters of a failed request throw its error, every time the same object', async () => {
    const request = http.request('http://127.0.0.1:1/refused');
    const error = await request.response.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(() => request.response.status).toThrow(error as Error);
    let thrown: unknown;
    try {
      String(request.content);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(error);
    await expect(request.data).rejects.toBe(error);
    await expect(request.content.text()).rejects.toBe(error);
  });
});

describe('ContentPromise', () => {
  test('text, json and bytes are async; toString is the text once settled', async () => {
    const [, content] = http.request(`${server.url}/json`);
    expect(() => content.toString()).toThrow(NotReadyError);
    expect(() => content.byteLength).toThrow(NotReadyError);
    expect(await content.text()).toBe('{"hello":"world"}');
    expect(await content.json()).toEqual({ hello: 'world' });
    expect(new TextDecoder().decode(await content.bytes())).toBe('{"hello":"world"}');
    expect(`${content}`).toBe('{"hello":"world"}');
    expect(content.byteLength).toBe(17);
    expect(content.done()).toBe(true);
  });

  test("text uses the content-type's charset", async () => {
    expect(await http.request(`${server.url}/latin1`).content.text()).toBe('café');
  });
});

describe('inspection never throws', () => {
  test('pending, fulfilled and rejected promise objects show their state', async () => {
    const pending = http.request(`${server.url}/delay/20`);
    expect(inspect(pending)).toMatch(/RequestPromise #\d+ GET .*delay\/20 <(queued|running)>/);
    expect(inspect(pending.response)).toMatch(/ResponsePromise <pending>/);
    expect(inspect(pending.content)).toMatch(/ContentPromise <pending>/);
    expect(inspect(pending.data)).toMatch(/DataPromise <pending>/);
    await pending;
    expect(inspect(pending.response)).toMatch(/ResponsePromise 200 OK/);
    expect(inspect(pending.content)).toMatch(/ContentPromise \(9 bytes\)/);
    const failed = http.request('not a url');
    await failed.wait();
    expect(inspect(failed.response)).toMatch(/ResponsePromise <rejected> InvalidRequestError/);
    expect(inspect(failed)).toMatch(/<rejected>/);
    const { response, content } = await http.request(`${server.url}/json`);
    expect(inspect(response)).toMatch(/status: 200/);
    expect(inspect(content)).toBe('Content(17 bytes, application/json; charset=utf-8)');
  });
});

describe('wait() and done()', () => {
  test('wait settles with the request and never rejects', async () => {
    const request = http.request('http://127.0.0.1:1/refused');
    await expect(request.wait()).resolves.toBeUndefined();
    expect(request.done()).toBe(true);
  });
});
