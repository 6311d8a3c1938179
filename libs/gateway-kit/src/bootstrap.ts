import type { z } from 'zod';
import type { Platform } from '@twokey/contracts';
import { ConfigError, configHelp, JsonLogger, wantsHelp } from '@twokey/service-kit';
import { GatewayEnv, loadGatewayConfig, type GatewayConfig } from './config';
import { createGateway, type Gateway } from './gateway';
import type { PlatformAdapter } from './platform-adapter';

/** Starts a gateway that owns the process: SIGTERM / SIGINT stop it cleanly (Nest shutdown hooks), then it exits 0. */
export async function runGateway(adapter: PlatformAdapter, config: GatewayConfig, logger?: JsonLogger): Promise<Gateway> {
  const gateway = createGateway({ adapter, config, logger, exitOnSignals: true });
  await gateway.start();
  return gateway;
}

export interface GatewayAppSpec<S extends z.ZodObject<z.ZodRawShape>> {
  platform: Platform;
  /** The platform's own environment variables (token, mode, base URL …). */
  settings: S;
  createAdapter(settings: z.infer<S>, context: { config: GatewayConfig; logger: JsonLogger }): PlatformAdapter;
}

/**
 * The whole `main.ts` of a gateway app: `--help` lists its variables; otherwise validate config (a ConfigError names
 * each variable and exits 1), build the adapter, run the Nest application.
 */
export async function bootGateway<S extends z.ZodObject<z.ZodRawShape>>(spec: GatewayAppSpec<S>): Promise<Gateway | undefined> {
  const service = `gateway-${spec.platform}`;
  if (wantsHelp()) {
    const summary = `publishes every ${spec.platform} message it receives as an InboundMessage on twokey.inbound.<connection> and delivers SendMessage commands from twokey.outbound.<connection>; it decides nothing and never answers on its own`;
    process.stdout.write(configHelp(service, summary, GatewayEnv.extend(spec.settings.shape)));
    return undefined;
  }
  try {
    const { gateway: config, settings } = loadGatewayConfig(spec.platform, spec.settings);
    const logger = new JsonLogger(service, config.logLevel).child({ connection: config.connection });
    return await runGateway(spec.createAdapter(settings, { config, logger }), config, logger);
  } catch (e) {
    if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
    else new JsonLogger(service).error('gateway failed to start', { error: e });
    process.exit(1);
  }
}
