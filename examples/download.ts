/**
 * Saves a large file without holding it in memory: `stream: true` settles at the headers, and the body
 * flows from the socket to the file chunk by chunk, with a progress bar (bytes, rate, ETA) on a terminal.
 *
 *   pnpm example download -- <url> <file>
 */
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Http } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';
import cliProgress from 'cli-progress';

/** This example takes its own arguments instead of the transit API's base URL. */
export const usage = '<url> <file>';

const mib = 1024 * 1024;

export async function main(args: string[]): Promise<void> {
  const [url, file, ...rest] = args;
  if (url === undefined || file === undefined || rest.length > 0) {
    throw new TypeError(`expected ${usage}, got ${args.length} argument(s)`);
  }
  // The timeout bounds the wait for the headers and each silence between chunks, not the whole file.
  const http = new Http({ adapter: undiciAdapter(), timeout: 30_000 });
  try {
    const request = http.request(url, { stream: true });
    const response = await request.response;
    if (response.status !== 200) {
      // An unread streamed body holds its worker slot (and close()) until read or cancelled.
      request.cancel();
      throw new Error(`${response.status} ${response.reason}: ${url}`);
    }
    // A decoded body's length is not the header's: the bar then counts bytes without a total.
    const declared = response.decodedFrom === undefined ? Number(response.get('content-length')) : Number.NaN;
    const total = Number.isFinite(declared) ? declared : 0;
    const bar = new cliProgress.SingleBar(
      {
        format: `{bar} {percentage}% | {received}/{size} MiB | {rate} MiB/s | ETA {eta_formatted}`,
        hideCursor: true,
        fps: 5,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now();
    let received = 0;
    const payload = () => {
      const seconds = (performance.now() - started) / 1000;
      return {
        received: (received / mib).toFixed(1),
        size: total === 0 ? '?' : (total / mib).toFixed(1),
        rate: seconds === 0 ? '0.0' : (received / mib / seconds).toFixed(1),
      };
    };
    bar.start(total, 0, payload());
    const progress = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.byteLength;
        bar.update(received, payload());
        done(null, chunk);
      },
    });
    try {
      const body = (await request.content).stream();
      await pipeline(
        Readable.fromWeb(body as WebReadableStream<Uint8Array>),
        progress,
        createWriteStream(file),
      );
    } finally {
      bar.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`saved ${received} bytes to ${file} in ${seconds.toFixed(2)} s (${payload().rate} MiB/s)`);
    if (total !== 0 && received !== total) throw new Error(`expected ${total} bytes, got ${received}`);
  } finally {
    await http.close();
  }
}
