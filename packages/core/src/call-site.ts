/** Frames of the code that called `request()`. V8 records them at capture and formats them only if read. */
export interface CallSite {
  readonly stack?: string | undefined;
}

type ErrorWithLimit = ErrorConstructor & { stackTraceLimit?: number };

// The capture's own frames (captureCallSite and Http.request) and the callers kept after them. Fewer
// frames make the capture cheaper (measured on Node 20: about half the time and memory of ten frames).
const ownFrames = 2;
const callerFrames = 5;

/**
 * Records where `request()` was called from. Called by `Http.request` directly: the first two frames
 * (this function and `request()`) are dropped when the site is formatted.
 */
export function captureCallSite(): CallSite {
  const errorClass = Error as ErrorWithLimit;
  const limit = errorClass.stackTraceLimit;
  errorClass.stackTraceLimit = ownFrames + callerFrames;
  // A plain Error is cheaper to capture into than an object given to Error.captureStackTrace.
  const site = new Error();
  errorClass.stackTraceLimit = limit;
  return site;
}

const marker = '\n    --- request() called from ---\n';

/** The call site's frames, without the `Error` line and the capture's own frames. */
export function formatCallSite(site: CallSite): string {
  const lines = (site.stack ?? '').split('\n');
  // Skip the "Error" line, then the capture's own frames.
  return lines.slice(1 + ownFrames).join('\n');
}

/**
 * Appends the `request()` call site to an error's stack, so an error raised where a promise object is
 * read still shows the code that started the request. Idempotent: the stack itself says whether the
 * site is there, because a library may rewrite the stack of an error it rejects with (Node's fetch
 * calls `Error.captureStackTrace` on the abort reason), and calling again then puts it back. Frozen or
 * foreign values are left alone.
 */
export function attachCallSite(error: unknown, site: CallSite | undefined): void {
  if (site === undefined || !(error instanceof Error)) return;
  const stack = error.stack ?? String(error);
  if (stack.includes(marker)) return;
  const frames = formatCallSite(site);
  if (frames === '') return;
  try {
    error.stack = `${stack}${marker}${frames}`;
  } catch {
    // A frozen error keeps its own stack; the call site is still logged.
  }
}
