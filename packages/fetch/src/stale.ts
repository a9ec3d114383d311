// Whether a failed fetch ran on a reused keep-alive socket that closed before any byte of its response
// arrived: the one failure core may resend whatever the retry settings. Fetch hides its sockets, so on
// Node (whose fetch is undici) its diagnostics channels are read; elsewhere nothing is known and
// nothing is marked, so core never resends. The same logic lives in @asynchttp/undici (src/stale.ts).

/** The little of a socket this needs. */
interface SocketLike {
  readonly bytesRead: number;
}

/** The little of `node:diagnostics_channel` this needs. */
interface Diagnostics {
  subscribe(name: string, listener: (message: unknown) => void): void;
}

/** Sockets that have carried a request already. */
const usedSockets = new WeakSet<SocketLike>();
/** Requests written on a reused socket, with that socket's `bytesRead` when they were written. */
const onReusedSocket = new WeakMap<object, { socket: SocketLike; bytesRead: number }>();
/** Errors that failed such a request before a response byte came back. */
const staleErrors = new WeakSet<object>();
let listening = false;

/** Starts listening to undici's channels, once per process, where the runtime has them (Node). */
export function trackStaleConnections(): void {
  if (listening) return;
  listening = true;
  const { process } = globalThis as {
    process?: { getBuiltinModule?: (id: string) => Diagnostics | undefined };
  };
  const diagnostics = process?.getBuiltinModule?.('diagnostics_channel');
  if (diagnostics === undefined) return;
  diagnostics.subscribe('undici:client:sendHeaders', (message) => {
    const { request, socket } = message as { request: object; socket: SocketLike };
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
