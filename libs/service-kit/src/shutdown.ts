import type { JsonLogger } from './logger';

/**
 * The one way a service process ends: on SIGTERM or SIGINT (once, whichever comes first) it logs, runs `stop`, and
 * exits 0, or 1 when stopping failed. Each service's main.ts calls it instead of wiring the signals itself.
 */
export function exitOnSignals(logger: JsonLogger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    stop().then(
      () => process.exit(0),
      (e) => {
        logger.error('shutdown failed', { error: e });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
