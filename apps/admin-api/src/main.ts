import { ConfigError, configHelp, exitOnSignals, JsonLogger, wantsHelp } from '@twokey/service-kit';
import { createAdminApi } from './admin-api';
import { AdminApiConfigSchema, loadAdminApiConfig } from './config';

const SUMMARY =
  'the REST API (/api/v1, OpenAPI at /api/docs), live stream and web console (/console) over read models it projects from the event store; the audit tools are `npx twokey events --help`';

async function main(): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(configHelp('admin-api', SUMMARY, AdminApiConfigSchema));
    return;
  }
  let config;
  try {
    config = loadAdminApiConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = new JsonLogger('admin-api', config.LOG_LEVEL);
  const api = await createAdminApi(config, {
    log,
    // Fail closed: never serve read models rebuilt from a log the service cannot read completely.
    onFatal: () => process.exit(1),
  });
  exitOnSignals(log, () => api.close());
}

main().catch((e) => {
  new JsonLogger('admin-api').error('admin-api failed to start', { error: e });
  process.exit(1);
});
