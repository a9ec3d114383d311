import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  type Adapter,
  type AdapterRequest,
  Content,
  DecompressionError,
  Http,
  InvalidRequestError,
  ResponseTooLargeError,
} from '../src/index.js';

/** An adapter that answers every request with `body` (bytes, or a stream made per call), recording what it got. */
function fixedAdapter(body: () => Uint8Array | ReadableStream<Uint8Array>, headers: [string, string][] = []) {
  const seen: AdapterRequest[] = [];
  const adapter: Adapter = {
    name: 'fixed',
    send: async (request) => {
      seen.push(request);
      return { status: 200, reason: 'OK', headers, body: body() };
    },
  };
  return { adapter, seen };
}

const chunked = (parts: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) out.push(...chunk);
  return out;
}

describe('streaming in core', () => {
  test('close({ cancelPending }) cancels a streamed body nobody reads, so close() resolves', async () => {
    const { adapter } = fixedAdapter(() => chunked([new Uint8Array(10), new Uint8Array(10)]));
    const http = new Http({ adapter, logger: false });
    const content = await http.request('http://x.test/', { stream: true }).content;
    expect(http.pending).toBe(1);
    await http.close({ cancelPending: true });
    expect(http.pending).toBe(0);
    const error = await readAll(content.stream()).then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );
    expect(error?.name).toBe('CancelledError');
  });

  test('an adapter that answers stream: true with a Uint8Array is wrapped into a stream', async () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    const { adapter, seen } = fixedAdapter(() => bytes);
    const http = new Http({ adapter, logger: false });
    const content = await http.request('http://x.test/', { stream: true }).content;
    expect(seen[0]?.stream).toBe(true);
    expect(seen[0]?.maxResponseBytes).toBeUndefined();
    expect(content.streamed).toBe(true);
    expect(http.pending).toBe(1);
    expect(await readAll(content.stream())).toEqual([...bytes]);
    expect(http.pending).toBe(0);
    await http.close();
  });

  test('without stream: true, a stream from the adapter is read whole, under maxResponseBytes', async () => {
    const { adapter, seen } = fixedAdapter(() => chunked([new Uint8Array(400), new Uint8Array(400)]));
    const http = new Http({ adapter, logger: false, maxResponseBytes: 1000 });
    const content = await http.request('http://x.test/').content;
    expect(seen[0]?.stream).toBe(false);
    expect(content.streamed).toBe(false);
    expect(content.byteLength).toBe(800);
    const small = new Http({ adapter, logger: false, maxResponseBytes: 500, retry: false });
    await expect(small.request('http://x.test/').content).rejects.toBeInstanceOf(ResponseTooLargeError);
    await Promise.all([http.close(), small.close()]);
  });

  test('deflate (zlib-wrapped), gzip and a corrupt body decode as they stream', async () => {
    const text = 'streamed '.repeat(5000);
    const gzip = gzipSync(text);
    // Split inside the header: the decoder must not judge the coding by a 1-byte first chunk.
    const parts = () => [gzip.subarray(0, 1), gzip.subarray(1, 100), gzip.subarray(100)];
    const { adapter } = fixedAdapter(() => chunked(parts()), [['content-encoding', 'gzip']]);
    const http = new Http({ adapter, logger: false });
    const { response, content } = await http.request('http://x.test/', { stream: true });
    expect(response.decodedFrom).toBe('gzip');
    expect(new TextDecoder().decode(Uint8Array.from(await readAll(content.stream())))).toBe(text);
    const corrupt = fixedAdapter(
      () => chunked([Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7)]),
      [['content-encoding', 'gzip']],
    );
    const broken = new Http({ adapter: corrupt.adapter, logger: false });
    const streamed = await broken.request('http://x.test/', { stream: true }).content;
    await expect(readAll(streamed.stream())).rejects.toBeInstanceOf(DecompressionError);
    expect(broken.pending).toBe(0);
    await Promise.all([http.close(), broken.close()]);
  });

  test('a streamed bomb fails past the compression ratio, chunk by chunk', async () => {
    const bomb = gzipSync(new Uint8Array(20 * 1024 * 1024));
    const { adapter } = fixedAdapter(() => chunked([bomb]), [['content-encoding', 'gzip']]);
    const http = new Http({ adapter, logger: false, maxCompressionRatio: 10 });
    const content = await http.request('http://x.test/', { stream: true }).content;
    let read = 0;
    const reader = content.stream().getReader();
    const error = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        read += value.byteLength;
      }
    })().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(read).toBeLessThan(20 * 1024 * 1024);
    await http.close();
  });

  test('bad input: stream must be a boolean; bodies must be usable', async () => {
    const { adapter } = fixedAdapter(() => new Uint8Array());
    const http = new Http({ adapter, logger: false });
    for (const stream of ['yes', 1, null, {}]) {
      const error = await http.request('http://x.test/', { stream: stream as never }).content.then(
        () => undefined,
        (failure: unknown) => failure as Error,
      );
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error?.message).toMatch(/stream must be a boolean/);
    }
    await http.close();
  });

  test('a Blob body declares its length and type; a content reads a buffered body as a stream each time', async () => {
    const { adapter, seen } = fixedAdapter(() => new Uint8Array());
    const http = new Http({ adapter, logger: false });
    await http.request('http://x.test/', { method: 'POST', body: new Blob(['abc'], { type: 'text/x' }) });
    expect(seen[0]?.headers).toEqual(
      expect.arrayContaining([
        ['content-length', '3'],
        ['content-type', 'text/x'],
      ]),
    );
    expect(seen[0]?.body).toBeInstanceOf(ReadableStream);
    const content = new Content(Uint8Array.of(1, 2));
    expect(await readAll(content.stream())).toEqual([1, 2]);
    expect(await readAll(content.stream())).toEqual([1, 2]);
    await http.close();
  });
});
