import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '@switchboard/runtime';

/** Bolt's and the Web API client's logs go through our JSON logger (and its secret masking). */
export function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  const rank = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };
  const enabled = (at: LogLevel) => rank[at] >= rank[level];
  return {
    debug: (...msg) => enabled(LogLevel.DEBUG) && logger.debug(line(msg)),
    info: (...msg) => enabled(LogLevel.INFO) && logger.info(line(msg)),
    warn: (...msg) => enabled(LogLevel.WARN) && logger.warn(line(msg)),
    error: (...msg) => enabled(LogLevel.ERROR) && logger.error(line(msg)),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}
