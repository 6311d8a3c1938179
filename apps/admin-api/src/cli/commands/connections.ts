import type { CliIo } from '../io';
import { CommonOptions, context, oneConnection, table } from './context';

export async function listConnectionsCommand(options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const { body } = await ctx.api.request('get', '/api/v1/connections');
  ctx.output(body, () =>
    table([
      ['CONNECTION', 'PLATFORM', 'CONFIGURED', 'CONNECTED', 'LAST TEST'],
      ...body.items.map((c) => [c.id, c.platform ?? '-', c.configured ? 'yes' : 'no', c.connected ? 'yes' : 'no', c.lastConnectionTest ? `${c.lastConnectionTest.ok ? 'ok' : 'failed'} ${c.lastConnectionTest.at}` : '-']),
    ]),
  );
  return 0;
}

/** `twokey connections test [connection]`: exit 1 when the gateway or its platform credentials fail. */
export async function testConnectionCommand(connectionArg: string | undefined, options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context({ ...options, connection: connectionArg ?? options.connection }, io);
  const connection = await oneConnection(ctx);
  const { body } = await ctx.api.request('post', '/api/v1/connections/{connection}/connection-test', { path: { connection } });
  ctx.output({ connection, ...body }, () => [
    body.ok ? `${connection}: ok, bot ${body.bot?.name ?? '?'} (${body.bot?.id ?? '?'}), ${body.latencyMs} ms` : `${connection}: FAILED${body.error ? `: ${body.error}` : ''}`,
  ]);
  return body.ok ? 0 : 1;
}
