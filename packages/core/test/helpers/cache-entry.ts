import type { CacheEntry } from '../../src/index.js';

/** A stored 200 text/plain response with `body`, for the cache-store tests. */
export const entry = (body: string, extra: Partial<CacheEntry> = {}): CacheEntry => ({
  policy: {},
  status: 200,
  reason: 'OK',
  version: '1.1',
  rawHeaders: [['content-type', 'text/plain']],
  url: 'http://127.0.0.1/',
  body: new TextEncoder().encode(body),
  ...extra,
});
