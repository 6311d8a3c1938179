import { ApiError } from '../api/client';
import { CliError, EXIT } from '../exit-codes';
import type { CliIo } from '../io';
import { CommonOptions, context } from './context';

/** `twokey agent status`: what GET /api/v1/agent answers, as it is (the bridge defines its shape). */
export async function agentStatusCommand(options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  try {
    const { body } = await ctx.api.untyped('GET', '/api/v1/agent');
    ctx.print(JSON.stringify(body, null, 2));
    return 0;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      throw new CliError(EXIT.notFound, `this admin-api has no agent bridge (GET /api/v1/agent answered 404 at ${ctx.api.baseUrl})`);
    }
    throw e;
  }
}
