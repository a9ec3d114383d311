import { isAsyncHttpError } from '@asynchttp/core';

const reasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/**
 * One line that says why the transit API could not be used, such as
 * `cannot reach http://127.0.0.1:1: connection refused`, whatever adapter raised it.
 */
export function describeFailure(error: unknown, base: URL): string {
  const where = base.pathname === '/' ? base.origin : base.href;
  if (isAsyncHttpError(error)) {
    if (error.name === 'ConnectionError') {
      const code = findCode(error);
      return `cannot reach ${where}: ${(code && reasons[code]) ?? firstLine(deepestMessage(error))}`;
    }
    if (error.name === 'TimeoutError') return `${where} did not answer in time: ${firstLine(error.message)}`;
    return `${where}: ${error.name}: ${firstLine(error.message)}`;
  }
  return error instanceof Error ? firstLine(error.message) : String(error);
}

/** The system error code somewhere down the cause chain: adapters wrap it differently (fetch twice). */
function findCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && code in reasons) return code;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

/** The innermost cause says most (fetch's "fetch failed" wraps undici's "bad port", for one). */
function deepestMessage(error: Error): string {
  let current: unknown = error;
  let message = error.message;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}
