import http from 'node:http';
import type { AdapterRequest } from '@asynchttp/core';
import { describe, expect, test } from 'vitest';
import { adapterCases, fixtures, testAdapter } from '../src/index.js';
import { makePayloads, startServer } from '../src/server.js';
import { nodeAdapter } from './node-adapter.js';

// The suite run against a minimal node:http adapter, so it is exercised before any real adapter exists.
testAdapter({
  name: 'node:http (self-test)',
  create: (options) => nodeAdapter({ ca: options?.tls?.ca }),
  skip: {
    'stream-response': 'this minimal adapter reads every body whole (core wraps it when asked to stream)',
  },
});

describe('testAdapter options', () => {
  const create = () => nodeAdapter();

  test('rejects an unknown case id in skip, so a typo cannot hide a case', () => {
    expect(() => testAdapter({ name: 'x', create, skip: { 'htps-custom-ca': 'typo' } as never })).toThrow(
      /unknown case "htps-custom-ca"/,
    );
  });

  test('rejects a skip without a reason', () => {
    expect(() => testAdapter({ name: 'x', create, skip: { 'https-custom-ca': ' ' } })).toThrow(
      /needs a reason/,
    );
  });

  test('rejects a missing create()', () => {
    expect(() => testAdapter({ name: 'x' } as never)).toThrow(/create must be a function/);
  });

  test('lists unique case ids', () => {
    expect(new Set(adapterCases).size).toBe(adapterCases.length);
    expect(adapterCases).toContain('https-custom-ca');
  });

  test('exposes the fixture certificates', () => {
    expect(fixtures.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(fixtures.server.key).toMatch(/PRIVATE KEY-----/);
    expect(fixtures.untrusted.certPath.endsWith('untrusted.pem')).toBe(true);
  });
});

describe('the flood route that response-too-large-stops-reading relies on', () => {
  const limit = 1024 * 1024;
  const get = (url: string) =>
    new Promise<number>((resolve, reject) => {
      // What an adapter that reads everything and checks the size afterwards does.
      http.get(url, { agent: false }, (res) => {
        let length = 0;
        res.on('data', (chunk: Buffer) => (length += chunk.length));
        res.on('end', () => resolve(length));
        res.on('error', reject);
      });
    });

  test('tells a greedy reader from one that stops at the limit', async () => {
    const server = await startServer(makePayloads());
    try {
      expect(await get(`${server.url}/flood/64?greedy`)).toBe(64 * 1024 * 1024);
      const greedy = server.flooded('/flood/64?greedy')!;
      await greedy.closed;
      expect(greedy.finished).toBe(true);
      expect(greedy.written).toBe(64 * 1024 * 1024);

      const adapter = nodeAdapter();
      const request = {
        url: new URL(`${server.url}/flood/64?stops`),
        method: 'GET',
        headers: [],
        signal: new AbortController().signal,
        maxResponseBytes: limit,
      } as AdapterRequest;
      await expect(adapter.send(request)).rejects.toMatchObject({ name: 'ResponseTooLargeError' });
      const stopped = server.flooded('/flood/64?stops')!;
      await stopped.closed;
      expect(stopped.finished).toBe(false);
      expect(stopped.written).toBeLessThan(limit + 32 * 1024 * 1024);
      await adapter.close?.();
    } finally {
      await server.close();
    }
  }, 60_000);
});
