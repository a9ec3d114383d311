import { errorMessage } from '../format-error.js';

// Deep enough for any real chain (fetch's TypeError → undici's SocketError → the socket's Error); a
// bound, so a cause that points back at itself cannot loop.
const maxDepth = 8;

/**
 * What went wrong, in words: the error's message and, when it differs, the message of the root of its
 * `cause` chain. Runtimes wrap the useful part (`fetch failed` hides `connect ECONNREFUSED 127.0.0.1:1`
 * in `cause`); an `AggregateError` (Node's happy eyeballs) gives the messages of its errors. Adapters
 * put this in the messages of the errors they raise, so the reason shows without digging into `cause`.
 *
 * @example
 * ```ts
 * const error = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
 * failureReason(error); // 'fetch failed: connect ECONNREFUSED 127.0.0.1:1'
 * ```
 */
export function failureReason(error: unknown): string {
  try {
    return reasonOf(error);
  } catch {
    // A value that throws when read (a null-prototype object, a hostile getter) still gets words.
    return errorMessage(error);
  }
}

function reasonOf(error: unknown): string {
  const top = messageOf(error);
  let root = '';
  let current: unknown = error;
  for (let depth = 0; depth < maxDepth && typeof current === 'object' && current !== null; depth++) {
    const message = messageOf(current);
    if (message !== '') root = message;
    current = (current as { cause?: unknown }).cause;
  }
  if (root === '' || top.includes(root)) return top === '' ? String(error) : top;
  return top === '' ? root : `${top}: ${root}`;
}

function messageOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return error === undefined ? '' : String(error);
  const { message, errors, code } = error as { message?: unknown; errors?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  if (Array.isArray(errors) && errors.length > 0) {
    return [...new Set(errors.map((each) => failureReason(each)))].join('; ');
  }
  return typeof code === 'string' ? code : '';
}
