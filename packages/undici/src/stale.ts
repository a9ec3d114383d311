import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

// Whether a failed request ran on a reused keep-alive socket that closed before any byte of its
// response arrived: the one failure core may resend whatever the retry settings. undici's request API
// does not say which socket served a request, so its diagnostics channels are read instead. The same
// logic lives in @asynchttp/fetch (src/stale.ts) for the runtime's fetch; keep the two alike.

/** Sockets that have carried a request already. */
const usedSockets = new WeakSet<Socket>();
/** Requests written on a reused socket, with that socket's `bytesRead` when they were written. */
const onReusedSocket = new WeakMap<object, { socket: Socket; bytesRead: number }>();
/** Errors that failed such a request before a response byte came back. */
const staleErrors = new WeakSet<object>();
let listening = false;

/** Starts listening to undici's channels (once per process); cheap: two small objects per request. */
export function trackStaleConnections(): void {
  if (listening) return;
  listening = true;
  diagnostics.subscribe('undici:client:sendHeaders', (message) => {
    const { request, socket } = message as { request: object; socket: Socket };
    if (usedSockets.has(socket)) onReusedSocket.set(request, { socket, bytesRead: socket.bytesRead });
    else usedSockets.add(socket);
  });
  diagnostics.subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: object; error: unknown };
    const sent = onReusedSocket.get(request);
    if (sent === undefined || typeof error !== 'object' || error === null) return;
    if (sent.socket.bytesRead === sent.bytesRead) staleErrors.add(error);
  });
}

/** Whether `error` (or one of its causes) failed a request on a reused socket before any response byte. */
export function isStaleConnection(error: unknown): boolean {
  for (let cause = error, depth = 0; typeof cause === 'object' && cause !== null && depth < 4; depth++) {
    if (staleErrors.has(cause)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
