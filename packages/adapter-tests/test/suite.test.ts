import { describe, expect, test } from 'vitest';
import { adapterCases, fixtures, testAdapter } from '../src/index.js';
import { nodeAdapter } from './node-adapter.js';

// The suite run against a minimal node:http adapter, so it is exercised before any real adapter exists.
testAdapter({ name: 'node:http (self-test)', create: (options) => nodeAdapter({ ca: options?.tls?.ca }) });

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
