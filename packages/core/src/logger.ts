import createDebug from 'debug';

/**
 * Where asynchttp writes its log. `console` and pino loggers fit as they are; pass `false` for silence.
 * A logger with `isLevelEnabled` (pino) is asked before any debug line is built.
 */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  isLevelEnabled?(level: string): boolean;
}

const base = createDebug('asynchttp');

/**
 * The default logger: the `debug` package, namespace `asynchttp` (debug lines), `asynchttp:info`,
 * `asynchttp:warn` and `asynchttp:error`. Off unless `DEBUG=asynchttp*` is set.
 */
export const debugLogger: Logger = {
  debug: base,
  info: base.extend('info'),
  warn: base.extend('warn'),
  error: base.extend('error'),
  isLevelEnabled: (level) =>
    level === 'debug' ? base.enabled === true : createDebug.enabled(`asynchttp:${level}`),
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
