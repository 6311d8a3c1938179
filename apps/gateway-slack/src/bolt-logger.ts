import { LogLevel, type Logger } from '@slack/bolt';
import type { JsonLogger } from '@twokey/service-kit';

/**
 * Bolt and the Web API client log through this into our structured logs. Kept at WARN: their debug output
 * includes request details we do not want in logs.
 */
export function boltLogger(logger: JsonLogger): Logger {
  let level = LogLevel.WARN;
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => logger.warn(`slack sdk: ${text(msg)}`),
    error: (...msg: unknown[]) => logger.error(`slack sdk: ${text(msg)}`),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}
