/**
 * Thrown values as text, for log lines and error messages. A callback or a caller's object may throw
 * anything: `undefined`, `Object.create(null)`, an object whose `toString` or `message` getter throws.
 * Formatting such a value must never throw in turn, or the request it belongs to would never settle.
 */

/** `Name: message` for an error-like value, `String(value)` for anything else; never throws. */
export function formatError(value: unknown): string {
  return format(value, true);
}

/** The message alone for an error-like value, `String(value)` for anything else; never throws. */
export function errorMessage(value: unknown): string {
  return format(value, false);
}

function format(value: unknown, withName: boolean): string {
  try {
    if (typeof value === 'object' && value !== null) {
      const { name, message } = value as { name?: unknown; message?: unknown };
      if (typeof message === 'string') {
        return withName ? `${typeof name === 'string' && name !== '' ? name : 'Error'}: ${message}` : message;
      }
    }
    return String(value);
  } catch {
    return opaque(value);
  }
}

/** What is left to say about a value that throws when read: its kind. */
function opaque(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `(a ${typeof value} that cannot be printed)`;
  try {
    return `(${Object.prototype.toString.call(value)} that cannot be printed)`;
  } catch {
    return '(an object that cannot be printed)';
  }
}
