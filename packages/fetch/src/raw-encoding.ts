// Node's fetch (undici) decodes gzip, deflate and br leniently: a body cut short before its end (a gzip
// without its 8-byte trailer) resolves as if whole. Fetch has no switch to turn decoding off, but Node's
// fetch takes an undici `dispatcher`: one that hides `content-encoding` under another name before fetch
// reads the headers gets the raw bytes through, and core decodes them strictly. Browsers, Deno and Bun
// have no dispatcher; there the runtime decodes, as lenient as it is (see the README).

/** The name `content-encoding` travels under while fetch reads the headers. */
export const hiddenEncoding = 'x-asynchttp-raw-content-encoding';

const globalDispatcher = Symbol.for('undici.globalDispatcher.1');
const contentEncoding = 'content-encoding';

interface Handler {
  onHeaders?(status: number, rawHeaders: unknown[], ...rest: unknown[]): unknown;
}
interface Dispatcher {
  dispatch(options: unknown, handler: Handler): unknown;
}

const wrapped = new WeakMap<Dispatcher, Dispatcher>();
let hiddenBuffer: unknown;

function hiddenName(): unknown {
  // Only reached under Node's undici, where Buffer exists; looked up so browsers bundle no Buffer.
  const buffer = (globalThis as { Buffer?: { from(text: string, encoding: string): unknown } }).Buffer;
  hiddenBuffer ??= buffer === undefined ? hiddenEncoding : buffer.from(hiddenEncoding, 'latin1');
  return hiddenBuffer;
}

/**
 * A dispatcher over Node's global one that passes encoded bodies through undecoded, or `undefined`
 * where fetch is not undici's. Looked up per request, so a later `setGlobalDispatcher()` is honoured.
 */
export function rawEncodingDispatcher(): Dispatcher | undefined {
  // Node loads its fetch lazily; touching `Headers` loads it, and it installs the global dispatcher.
  if (typeof globalThis.Headers !== 'function') return undefined;
  const base = (globalThis as Record<symbol, unknown>)[globalDispatcher] as Dispatcher | undefined;
  if (typeof base?.dispatch !== 'function') return undefined;
  let dispatcher = wrapped.get(base);
  if (dispatcher === undefined) {
    // Inherits the rest of the dispatcher (MockAgent's `isMockActive`, say); only dispatch differs.
    dispatcher = Object.create(base, {
      dispatch: {
        value: (options: unknown, handler: Handler) => base.dispatch(options, hideEncoding(handler)),
      },
    }) as Dispatcher;
    wrapped.set(base, dispatcher);
  }
  return dispatcher;
}

/** The handler fetch gave, with `content-encoding` renamed in the raw headers it receives. */
function hideEncoding(handler: Handler): Handler {
  const onHeaders = handler.onHeaders;
  if (typeof onHeaders !== 'function') return handler;
  // Fetch's handler keeps its state on `this`, so the wrapper inherits from it rather than copying it.
  return Object.create(handler, {
    onHeaders: {
      value(this: Handler, status: number, rawHeaders: unknown[], ...rest: unknown[]) {
        if (Array.isArray(rawHeaders)) {
          for (let i = 0; i < rawHeaders.length; i += 2) {
            const name = rawHeaders[i];
            if (String(name).toLowerCase() !== contentEncoding) continue;
            // undici hands names over as Buffers and reads them as such.
            rawHeaders[i] = typeof name === 'string' ? hiddenEncoding : hiddenName();
          }
        }
        return onHeaders.call(this, status, rawHeaders, ...rest);
      },
    },
  }) as Handler;
}
