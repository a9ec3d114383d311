// A body far larger than any limit, written with back-pressure so the server can tell how much the
// client actually took: an adapter that stops reading past `maxResponseBytes` leaves it stuck at the
// limit plus socket buffers, one that reads everything and fails afterwards lets it write it all.
import type http from 'node:http';

/** What a flood response managed to write, and whether the client hung up before the end. */
export interface Flood {
  /** Bytes handed to the socket so far (at most one chunk more than the socket accepted). */
  readonly written: number;
  /** Whether the whole body went out: the client read everything. */
  readonly finished: boolean;
  /** Settles when the response's connection closed (or the response finished). */
  readonly closed: Promise<void>;
}

const chunkSize = 64 * 1024;
// Not compressible and not all zeros, so nothing along the way can shrink it.
const chunk = Buffer.from(Array.from({ length: chunkSize }, (_, i) => (i * 7919) % 251));

/** Streams `total` bytes, chunked (no content-length, so only reading can reveal the size). */
export function flood(res: http.ServerResponse, total: number): Flood {
  const state = { written: 0, finished: false, closed: Promise.resolve() };
  state.closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const pump = () => {
    while (!res.destroyed && state.written < total) {
      state.written += chunkSize;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end(() => (state.finished = true));
  };
  pump();
  return state;
}
