// Unit checks of the httplib2 rules that do not need a network; the behaviour suite in
// @asynchttp/adapter-tests runs the same rules end to end through every adapter.
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { decodeBody, parseCodings } from '../src/compression.js';
import { Credentials, parseChallenges } from '../src/credentials.js';
import {
  ConnectionError,
  Content,
  DecompressionError,
  Response,
  ResponseTooLargeError,
} from '../src/index.js';
import { latin1AsUtf8, nextHop, resolveLocation, shouldFollow } from '../src/redirects.js';
import { backoff, isDroppedConnection, parseRetryAfter, retryPolicy } from '../src/retry.js';

describe('redirect rules', () => {
  const rules = { followRedirects: true, followAllRedirects: false };
  test.each([
    [301, 'GET', true],
    [302, 'HEAD', true],
    [307, 'OPTIONS', true],
    [308, 'TRACE', true],
    [302, 'POST', false],
    [301, 'PUT', false],
    [303, 'POST', true],
    [308, 'DELETE', true],
    [304, 'GET', false],
    [200, 'GET', false],
  ] as const)('%i %s followed: %s', (status, method, expected) => {
    expect(shouldFollow(status, method, rules)).toBe(expected);
  });

  test('followAllRedirects follows unsafe methods; followRedirects false follows nothing', () => {
    expect(shouldFollow(302, 'POST', { followRedirects: true, followAllRedirects: true })).toBe(true);
    expect(shouldFollow(303, 'POST', { followRedirects: false, followAllRedirects: true })).toBe(false);
  });

  test('a Location of raw UTF-8 bytes (read as Latin-1) is read as UTF-8; real Latin-1 is kept', () => {
    const raw = Buffer.from('/café', 'utf8').toString('latin1');
    expect(latin1AsUtf8(raw)).toBe('/café');
    expect(resolveLocation(raw, new URL('http://h/a'))?.href).toBe('http://h/caf%C3%A9');
    expect(latin1AsUtf8('/caf\u00e9')).toBe('/caf\u00e9');
    expect(latin1AsUtf8('/ascii')).toBe('/ascii');
    expect(latin1AsUtf8('/\u20ac')).toBe('/\u20ac');
  });

  test("RFC 9110 §10.2.2: a Location without a fragment inherits the request's", () => {
    const base = new URL('http://h/a#part-2');
    expect(resolveLocation('/b', base)?.href).toBe('http://h/b#part-2');
    expect(resolveLocation('/b#other', base)?.href).toBe('http://h/b#other');
    expect(resolveLocation('/b#', base)?.href).toBe('http://h/b#');
    expect(resolveLocation('http://[', base)).toBeUndefined();
  });

  test('RFC 9110 §15.4.4: a 303 drops every body header, not just content-type and content-length', () => {
    const hop = {
      url: new URL('https://h/form'),
      method: 'POST',
      body: new Uint8Array([1]),
      headers: [
        ['content-type', 'a/b'],
        ['content-length', '1'],
        ['content-encoding', 'gzip'],
        ['content-digest', 'sha-256=:x:'],
        ['transfer-encoding', 'chunked'],
        ['trailer', 'x-sum'],
        ['expect', '100-continue'],
        ['proxy-authorization', 'Basic eA=='],
        ['accept', '*/*'],
      ] as [string, string][],
    };
    const response = (location: string) =>
      new Response({
        status: 303,
        reason: 'See Other',
        rawHeaders: [['location', location]],
        url: 'https://h/form',
      });
    const same = nextHop(hop, response('/done'), new Content(new Uint8Array(0), undefined), 5)!;
    expect(same.headers).toEqual([
      ['proxy-authorization', 'Basic eA=='],
      ['accept', '*/*'],
    ]);
    // A scheme change is another origin: https → http on the same host loses the proxy's credentials.
    const down = nextHop(hop, response('http://h/done'), new Content(new Uint8Array(0), undefined), 5)!;
    expect(down.headers).toEqual([['accept', '*/*']]);
  });
});

describe('WWW-Authenticate parsing', () => {
  test('several challenges in one field, quoted strings with commas and escapes', () => {
    const challenges = parseChallenges([
      'Digest realm="a, b", nonce="x\\"y", qop="auth,auth-int", algorithm=SHA-256, Basic realm="c"',
      'Newauth realm="apps", type=1',
    ]);
    expect(challenges).toEqual([
      {
        scheme: 'digest',
        params: { realm: 'a, b', nonce: 'x"y', qop: 'auth,auth-int', algorithm: 'SHA-256' },
      },
      { scheme: 'basic', params: { realm: 'c' } },
      { scheme: 'newauth', params: { realm: 'apps', type: '1' } },
    ]);
  });

  test('unsupported algorithms and qop values are not answered', () => {
    const credentials = new Credentials();
    credentials.add('joe', 'pw');
    const url = new URL('http://127.0.0.1/x');
    const answer = (header: string) => credentials.answer(parseChallenges([header]), url, 'GET', new Set());
    expect(answer('Digest realm="r", nonce="n", algorithm=SHA-512-256')).toBeUndefined();
    expect(answer('Digest realm="r", nonce="n", qop="auth-int"')).toBeUndefined();
    expect(answer('Negotiate abc==')).toBeUndefined();
    expect(answer('Basic realm="r"')?.header).toBe(`Basic ${btoa('joe:pw')}`);
  });

  test('a non-ASCII password is sent as UTF-8 in Basic', () => {
    const credentials = new Credentials();
    credentials.add('jörg', 'pässwörd');
    const found = credentials.answer(
      parseChallenges(['Basic realm="r"']),
      new URL('http://h/'),
      'GET',
      new Set(),
    );
    expect(Buffer.from(found!.header.slice(6), 'base64').toString('utf8')).toBe('jörg:pässwörd');
  });
});

describe('retry policy', () => {
  test('defaults, numbers and false', () => {
    expect(retryPolicy(undefined).limit).toBe(2);
    expect(retryPolicy(0).limit).toBe(0);
    expect(retryPolicy(false).limit).toBe(0);
    expect(retryPolicy({ methods: ['post'] }).methods).toEqual(['POST']);
  });

  test('backoff doubles, is capped, and has jitter between half and all of it', () => {
    const policy = retryPolicy({ delay: 100, backoffLimit: 1000 });
    expect(backoff(policy, 1, undefined, 0, () => 1)).toBe(100);
    expect(backoff(policy, 3, undefined, 0, () => 1)).toBe(400);
    expect(backoff(policy, 10, undefined, 0, () => 1)).toBe(1000);
    expect(backoff(policy, 1, undefined, 0, () => 0)).toBe(50);
  });

  test('Retry-After in seconds or as a date; too long means no retry', () => {
    const policy = retryPolicy({ maxRetryAfter: 5000 });
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(backoff(policy, 1, '4', now)).toBe(4000);
    expect(backoff(policy, 1, '60', now)).toBeUndefined();
  });

  test('a dropped connection is only what the adapter marks stale, never guessed from the cause', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    // A reset or "other side closed" may come after the server got the request: never resent on a hunch.
    expect(isDroppedConnection(new ConnectionError('x', { cause: reset }))).toBe(false);
    expect(isDroppedConnection(new ConnectionError('x', { cause: new Error('other side closed') }))).toBe(
      false,
    );
    expect(isDroppedConnection(new ConnectionError('x', { cause: reset, staleConnection: true }))).toBe(true);
    expect(isDroppedConnection(Object.assign(reset, { staleConnection: true }))).toBe(false);
  });

  test('a wait past what a timer holds (2^31 - 1 ms) is never honoured, whatever maxRetryAfter', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const open = retryPolicy({ maxRetryAfter: 1e10 });
    expect(backoff(open, 1, '2592000', now)).toBeUndefined();
    expect(backoff(retryPolicy({ maxRetryAfter: Number.POSITIVE_INFINITY }), 1, '2147483', now)).toBe(
      2_147_483_000,
    );
    expect(backoff(open, 1, new Date(now + 40 * 86_400_000).toUTCString(), now)).toBeUndefined();
    expect(backoff(open, 1, '99999999999999999999999', now)).toBeUndefined();
  });

  test.each(['delay', 'backoffLimit'])("retry.%s past a timer's range is a RangeError naming it", (name) => {
    expect(() => retryPolicy({ [name]: 2 ** 31 })).toThrow(new RegExp(`retry\\.${name}`));
    expect(() => retryPolicy({ [name]: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(retryPolicy({ [name]: 2 ** 31 - 1 })[name as 'delay']).toBe(2 ** 31 - 1);
  });
});

describe('decoding', () => {
  const limits = { maxBytes: 64 * 1024 * 1024, maxRatio: 200 };

  test('codings are listed in order; unknown ones leave the body alone', () => {
    expect(parseCodings('gzip')).toEqual(['gzip']);
    expect(parseCodings('x-gzip, identity')).toEqual(['gzip']);
    expect(parseCodings('deflate, br')).toEqual(['deflate', 'br']);
    expect(parseCodings('compress')).toBeUndefined();
    expect(parseCodings('identity')).toBeUndefined();
  });

  test('stacked codings are undone in reverse order', async () => {
    const text = 'hello '.repeat(100);
    const twice = gzipSync(gzipSync(text));
    const out = await decodeBody(new Uint8Array(twice), ['gzip', 'gzip'], limits);
    expect(new TextDecoder().decode(out)).toBe(text);
  });

  test('maxBytes stops inflation with ResponseTooLargeError; garbage is DecompressionError', async () => {
    const big = gzipSync(Buffer.alloc(4 * 1024 * 1024));
    await expect(
      decodeBody(new Uint8Array(big), ['gzip'], { maxBytes: 1024 * 1024, maxRatio: 1e6 }),
    ).rejects.toThrow(ResponseTooLargeError);
    await expect(decodeBody(new TextEncoder().encode('not gzip'), ['gzip'], limits)).rejects.toThrow(
      DecompressionError,
    );
  });
});
