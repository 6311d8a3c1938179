import { CommonOptions, context, table } from './context';
import type { CliIo } from '../io';

/** `twokey status`: who we are to the admin-api, the position it reflects, every connection. */
export async function statusCommand(options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const [session, connections] = await Promise.all([ctx.api.request('get', '/api/v1/session'), ctx.api.request('get', '/api/v1/connections')]);
  const value = { adminApi: ctx.api.baseUrl, admin: session.body.admin.id, position: connections.position ?? null, connections: connections.body.items };
  ctx.output(value, () => [
    `admin-api ${ctx.api.baseUrl} as ${value.admin}, read models at position ${value.position ?? '?'}`,
    ...table([
      ['CONNECTION', 'PLATFORM', 'CONFIGURED', 'CONNECTED', 'USERS', 'SPACES', 'PENDING', 'ATTENTION'],
      ...connections.body.items.map((c) => [
        c.id, c.platform ?? '-', c.configured ? 'yes' : 'no', c.connected ? 'yes' : 'no',
        String(c.counts.users), String(c.counts.spaces), String(c.counts.pendingObservations), String(c.counts.attentionGroups),
      ]),
    ]),
  ]);
  return 0;
}
