import 'reflect-metadata';
import { ConfigError, configHelp, exitOnSignals, JsonLogger, wantsHelp } from '@twokey/service-kit';
import { createAgentBridge } from './agent-bridge';
import { AgentBridgeEnv, loadAgentBridgeConfig, SERVICE_NAME, type AgentBridgeConfig } from './config';

const SUMMARY =
  'turns admitted messages (twokey.admitted.<connection>) into turns of an ACP agent (AGENT_COMMAND, e.g. codex-acp) or a signed webhook (AGENT_WEBHOOK_URL), and the answers into replies';

async function main(): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(configHelp(SERVICE_NAME, SUMMARY, AgentBridgeEnv));
    return;
  }
  let config: AgentBridgeConfig;
  try {
    config = loadAgentBridgeConfig();
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const logger = new JsonLogger(SERVICE_NAME, config.logLevel);
  const bridge = createAgentBridge(config, { logger, collectDefaultMetrics: true });
  exitOnSignals(logger, () => bridge.stop());
  try {
    await bridge.start();
    logger.info('agent-bridge ready', { port: bridge.port, mode: config.target.mode });
  } catch (e) {
    logger.error('agent-bridge failed to start', { error: e });
    process.exit(1);
  }
}

void main();
