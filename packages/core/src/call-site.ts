type CaptureStackTrace = (target: object, constructorOpt?: Function) => void;

const capture: CaptureStackTrace | undefined = (Error as unknown as { captureStackTrace?: CaptureStackTrace })
  .captureStackTrace;

/** Frames of the code that called `request()`. V8 records them cheaply and formats them only if read. */
export interface CallSite {
  readonly stack?: string;
}

/** Records where `request()` was called from, skipping the frames of `above` and what it called. */
export function captureCallSite(above: Function): CallSite {
  const site: { stack?: string } = {};
  if (capture !== undefined) capture(site, above);
  else site.stack = new Error().stack;
  return site;
}

const attached = new WeakSet<object>();

/** The call site's frames, without the `Error` line. */
export function formatCallSite(site: CallSite): string {
  const stack = site.stack ?? '';
  const firstFrame = stack.indexOf('\n');
  return firstFrame === -1 ? '' : stack.slice(firstFrame + 1);
}

/**
 * Appends the `request()` call site to an error's stack, once, so an error raised where a promise
 * object is read still shows the code that started the request. Frozen or foreign values are left alone.
 */
export function attachCallSite(error: unknown, site: CallSite | undefined): void {
  if (site === undefined || !(error instanceof Error) || attached.has(error)) return;
  attached.add(error);
  const frames = formatCallSite(site);
  if (frames === '') return;
  try {
    error.stack = `${error.stack ?? String(error)}\n    --- request() called from ---\n${frames}`;
  } catch {
    // A frozen error keeps its own stack; the call site is still logged.
  }
}
