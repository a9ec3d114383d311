// Unit checks of the httplib2 rules that do not need a network; the behaviour suite in
// @asynchttp/adapter-tests runs the same rules end to end through every adapter.
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { decodeBody, parseCodings } from '../src/compression.js';
import { Credentials, parseChallenges } from '../src/credentials.js';
import { ConnectionError, DecompressionError, ResponseTooLargeError } from '../src/index.js';
import { shouldFollow } from '../src/redirects.js';
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

  test('a dropped connection is told apart by the cause chain', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isDroppedConnection(new ConnectionError('x', { cause: reset }))).toBe(true);
    expect(isDroppedConnection(new ConnectionError('x', { cause: new Error('other side closed') }))).toBe(
      true,
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isDroppedConnection(new ConnectionError('x', { cause: refused }))).toBe(false);
    expect(isDroppedConnection(reset)).toBe(false);
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
