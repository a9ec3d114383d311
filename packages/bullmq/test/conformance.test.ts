import { testAdapter } from '@asynchttp/adapter-tests';
import type { Adapter } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';
import { afterAll } from 'vitest';
import { bullmqAdapter, startWorker } from '../src/index.js';
import { startRedis } from './helpers/redis.js';

// The conformance suite through the fleet: each adapter the suite creates is a bullmqAdapter, whose
// exchanges an in-test worker runs through undici (given the suite's TLS settings of the moment).
const redis = await startRedis();
const transports: Adapter[] = [];
let current = undiciAdapter();
transports.push(current);
const worker = await startWorker({
  connection: redis.url,
  queue: 'conformance',
  concurrency: 32,
  adapter: { name: 'undici-for-the-suite', send: (request) => current.send(request) },
});

afterAll(async () => {
  await worker.close();
  await Promise.all(transports.map((transport) => transport.close?.()));
  await redis.stop();
});

testAdapter({
  name: 'bullmq',
  create: (options) => {
    if (options?.tls?.ca !== undefined) {
      current = undiciAdapter({ ca: options.tls.ca });
      transports.push(current);
    }
    return bullmqAdapter({ connection: redis.url, queue: 'conformance' });
  },
  skip: {
    'stream-response':
      'Redis carries whole bodies: the fleet reads a streamed response to its end on the worker and hands the caller bytes (core wraps them for stream: true), so the transport cannot stream or close the origin connection on cancel',
    'no-socket-leak':
      "the origin's connections belong to the worker's own adapter, which pools them for the fleet; closing a caller's bullmqAdapter closes its Redis connections, not the worker's sockets (worker.close() leaves its adapter to its owner, SPEC)",
  },
});
