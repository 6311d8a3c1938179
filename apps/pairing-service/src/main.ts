import './v8-flags';
import 'reflect-metadata';
import { EventDecodeError } from '@twokey/event-store';
import { ConfigError, configHelp, exitOnSignals, JsonLogger, wantsHelp } from '@twokey/service-kit';
import { loadPairingConfig, PairingServiceEnv, SERVICE_NAME, type PairingServiceConfig } from './config';
import { createPairingService } from './pairing-service';

const SUMMARY =
  'decides every inbound message (admit, deny silently, observe a pairing code) from the allowlists it rehydrates from the event store, and answers the admin commands on twokey.rpc.pairing.<verb>';

async function main(): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(configHelp(SERVICE_NAME, SUMMARY, PairingServiceEnv));
    return;
  }
  let config: PairingServiceConfig;
  try {
    config = loadPairingConfig();
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const logger = new JsonLogger(SERVICE_NAME, config.logLevel);
  const service = createPairingService(config, { logger, onFatal: () => process.exit(1), collectDefaultMetrics: true });

  exitOnSignals(logger, () => service.stop());

  try {
    await service.start();
    logger.info('pairing-service ready', { port: service.port });
  } catch (e) {
    const message =
      e instanceof EventDecodeError
        ? 'the event store holds an event that cannot be read; refusing to start on a partial state (fail closed)'
        : 'pairing-service failed to start';
    logger.error(message, { error: e });
    process.exit(1);
  }
}

void main();
