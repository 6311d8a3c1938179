import { AdminApiClient } from './api/client';
import { CliError, EXIT } from './exit-codes';
import type { CliIo } from './io';
import { findLocalStack } from './local-stack';

export interface TargetOptions {
  url?: string;
}

export const TARGET_HELP = `Target: without --url the local stack that \`npm start\` runs (read from TWOKEY_HOME, default .twokey: the
admin-api's port and the CLI's own admin token, id local-cli). With --url URL a deployment's admin-api; the admin
token comes from TWOKEY_ADMIN_TOKEN or, on a terminal, a prompt (never a flag: argv lands in shell history).`;

/** The admin API to talk to and the token to use: --url + env/prompt, else the local stack. */
export async function resolveClient(options: TargetOptions, io: CliIo): Promise<AdminApiClient> {
  const url = options.url ?? io.env.TWOKEY_URL;
  if (url) {
    try {
      new URL(url);
    } catch {
      throw new CliError(EXIT.usage, `--url must be an http(s) URL, got "${url}"`);
    }
    const token = io.env.TWOKEY_ADMIN_TOKEN || (io.prompt ? await io.prompt('admin token: ') : undefined);
    if (!token) throw new CliError(EXIT.usage, `an admin token is needed for ${url}: set TWOKEY_ADMIN_TOKEN (or run on a terminal to be asked)`);
    return new AdminApiClient(url, token.trim(), io.fetch);
  }
  const local = findLocalStack(io.env);
  if (typeof local === 'string') throw new CliError(EXIT.unreachable, local);
  const token = io.env.TWOKEY_ADMIN_TOKEN || local.token;
  if (!token) throw new CliError(EXIT.usage, `${local.home}/cli-token.json is missing: restart \`npm start\`, or set TWOKEY_ADMIN_TOKEN`);
  return new AdminApiClient(local.record.adminUrl, token, io.fetch);
}
