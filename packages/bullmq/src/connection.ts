import { ConnectionError } from '@asynchttp/core';
import { Redis, type RedisOptions } from 'ioredis';
import type { Connection } from './options.js';

/**
 * A new ioredis client for `connection`. BullMQ needs `maxRetriesPerRequest: null` (its blocking
 * commands must survive reconnects); failures are kept for the error message, never thrown as an
 * unhandled 'error' event.
 */
export function createClient(connection: Connection, name: string, failFast = false): Redis {
  // A caller's commands fail (and its request with them) rather than wait for Redis forever.
  const extra: RedisOptions = {
    maxRetriesPerRequest: failFast ? 1 : null,
    connectionName: name,
    lazyConnect: true,
  };
  const client =
    typeof connection === 'string' ? new Redis(connection, extra) : new Redis({ ...connection, ...extra });
  client.on('error', (error: Error) => {
    lastErrors.set(client, error);
  });
  return client;
}

const lastErrors = new WeakMap<Redis, Error>();

/** Connects `client`, or fails with a `ConnectionError` within `timeout` ms (no retrying forever). */
export async function connect(client: Redis, timeout: number, where: string): Promise<void> {
  if (client.status === 'ready') return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const cause = lastErrors.get(client);
      reject(
        new ConnectionError(
          `${where}: Redis is unreachable after ${timeout} ms${cause === undefined ? '' : ` (${cause.message})`}`,
          { cause },
        ),
      );
    }, timeout);
  });
  try {
    // A failed first attempt is not the end: ioredis keeps reconnecting until the timeout says so.
    if (client.status === 'wait') client.connect().catch(() => {});
    await Promise.race([waitReady(client), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function waitReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

/** Closes a client whatever its state: QUIT when connected, else just drop the socket and retries. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {}
  }
  client.disconnect();
}
