import { SpaceKind } from '@twokey/contracts';
import type { components } from '../api/openapi';
import { CliError, EXIT } from '../exit-codes';
import type { CliIo } from '../io';
import { CommonOptions, context, oneConnection, someConnections, table } from './context';

type Schemas = components['schemas'];

export async function listUsersCommand(options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const items: (Schemas['UserView'] & { connection: string })[] = [];
  for (const connection of await someConnections(ctx)) {
    const { body } = await ctx.api.request('get', '/api/v1/connections/{connection}/users', { path: { connection } });
    items.push(...body.items.map((u) => ({ connection, ...u })));
  }
  ctx.output({ items }, () =>
    items.length
      ? table([['CONNECTION', 'USER', 'NAME', 'HOW', 'APPROVED BY', 'AT'], ...items.map((u) => [u.connection, u.id, u.displayName, u.how, u.approvedBy, u.approvedAt])])
      : ['no authorized users'],
  );
  return 0;
}

export async function addUserCommand(id: string, options: CommonOptions & { name?: string; username?: string }, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const connection = await oneConnection(ctx);
  const { body } = await ctx.api.request('post', '/api/v1/connections/{connection}/users', {
    path: { connection },
    body: { id, ...(options.name ? { displayName: options.name } : {}), ...(options.username ? { username: options.username } : {}) },
  });
  ctx.output(body, () => [`added user ${body.userId} to ${connection}`]);
  return 0;
}

export async function removeUserCommand(id: string, options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const connection = await oneConnection(ctx);
  const { body } = await ctx.api.request('delete', '/api/v1/connections/{connection}/users/{actorId}', { path: { connection, actorId: id } });
  ctx.output(body, () => [`removed user ${body.userId} from ${connection}`]);
  return 0;
}

export async function listSpacesCommand(options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const items: (Schemas['SpaceView'] & { connection: string })[] = [];
  for (const connection of await someConnections(ctx)) {
    const { body } = await ctx.api.request('get', '/api/v1/connections/{connection}/spaces', { path: { connection } });
    items.push(...body.items.map((s) => ({ connection, ...s })));
  }
  ctx.output({ items }, () =>
    items.length
      ? table([['CONNECTION', 'SPACE', 'KIND', 'TITLE', 'HOW', 'APPROVED BY'], ...items.map((s) => [s.connection, s.id, s.kind, s.title ?? '-', s.how, s.approvedBy])])
      : ['no allowlisted spaces'],
  );
  return 0;
}

export async function addSpaceCommand(id: string, options: CommonOptions & { kind?: string; title?: string }, io: CliIo): Promise<number> {
  const kind = SpaceKind.safeParse(options.kind);
  if (!kind.success) throw new CliError(EXIT.usage, `--kind is required, one of ${SpaceKind.options.join(', ')}`);
  const ctx = await context(options, io);
  const connection = await oneConnection(ctx);
  const { body } = await ctx.api.request('post', '/api/v1/connections/{connection}/spaces', {
    path: { connection },
    body: { id, kind: kind.data, ...(options.title ? { title: options.title } : {}) },
  });
  ctx.output(body, () => [`added space ${body.spaceId} to ${connection}`]);
  return 0;
}

export async function removeSpaceCommand(id: string, options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const connection = await oneConnection(ctx);
  const { body } = await ctx.api.request('delete', '/api/v1/connections/{connection}/spaces/{spaceId}', { path: { connection, spaceId: id } });
  ctx.output(body, () => [`removed space ${body.spaceId} from ${connection}`]);
  return 0;
}
