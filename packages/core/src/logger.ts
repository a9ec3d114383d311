import createDebug from 'debug';

/**
 * Where asynchttp writes its log. `console` and pino loggers fit as they are; pass `false` for silence.
 * A logger with `isLevelEnabled` (pino) is asked before any debug line is built. Node's `console` writes
 * `debug` and `info` to stdout and `warn` and `error` to stderr; `new Console(process.stderr)` (from
 * `node:console`) writes every level to stderr.
 */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  isLevelEnabled?(level: string): boolean;
}

const base = createDebug('asynchttp');
const warn = base.extend('warn');
const error = base.extend('error');

/** Whether the user configured `debug` (DEBUG in Node, `localStorage.debug` in a browser). */
function debugConfigured(): boolean {
  try {
    const scope = globalThis as {
      process?: { env?: Record<string, string | undefined> };
      localStorage?: Storage;
    };
    return Boolean(scope.process?.env?.DEBUG || scope.localStorage?.getItem('debug'));
  } catch {
    return false;
  }
}

// A failed callback or cache store must not go unnoticed: without a DEBUG setting, warnings and
// errors print (to stderr in Node). Once DEBUG is set it decides for every namespace, as usual.
if (!debugConfigured()) {
  warn.enabled = true;
  error.enabled = true;
}

/**
 * The default logger: the `debug` package, which writes to stderr in Node (the console in a browser).
 *
 * | namespace | lines | on by default |
 * | --- | --- | --- |
 * | `asynchttp` | debug: each request queued, started, redirected, retried, done or failed | no |
 * | `asynchttp:info` | info (none yet) | no |
 * | `asynchttp:warn` | a callback that threw, a cache store that failed | yes, unless DEBUG is set |
 * | `asynchttp:error` | errors | yes, unless DEBUG is set |
 *
 * `DEBUG=asynchttp*` turns everything on; once DEBUG is set, only the namespaces it names print
 * (`DEBUG=express*` silences asynchttp's warnings too; add `asynchttp:warn,asynchttp:error` to keep them).
 */
export const debugLogger: Logger = {
  debug: base,
  info: base.extend('info'),
  warn,
  error,
  isLevelEnabled: (level) =>
    level === 'debug'
      ? base.enabled === true
      : level === 'warn'
        ? warn.enabled
        : level === 'error'
          ? error.enabled
          : createDebug.enabled(`asynchttp:${level}`),
};

const noop = (): void => {};

/** A logger that drops everything: what `logger: false` means. */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  isLevelEnabled: () => false,
};

/** Whether debug lines would be written; checked before a line is built, so a silent log costs nothing. */
export function debugEnabled(logger: Logger): boolean {
  return logger.isLevelEnabled === undefined ? true : logger.isLevelEnabled('debug');
}

/**
 * A user's logger, guarded: a logger that throws must not break a request or escape a worker as an
 * unhandled rejection. Levels are looked up on each call, so a logger whose methods change still works.
 */
export function guardLogger(logger: Logger): Logger {
  const guard =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, ...args: unknown[]): void => {
      try {
        logger[level](message, ...args);
      } catch {
        // Logging is best effort.
      }
    };
  return {
    debug: guard('debug'),
    info: guard('info'),
    warn: guard('warn'),
    error: guard('error'),
    isLevelEnabled: (level) => {
      try {
        return logger.isLevelEnabled === undefined ? true : logger.isLevelEnabled(level);
      } catch {
        return false;
      }
    },
  };
}
