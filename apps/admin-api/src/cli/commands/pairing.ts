import type { components } from '../api/openapi';
import { CliError, EXIT } from '../exit-codes';
import type { CliIo } from '../io';
import { CommonOptions, context, oneConnection, someConnections, table } from './context';

export async function issueCommand(options: CommonOptions & { purpose?: string; ttl?: string }, io: CliIo): Promise<number> {
  const purpose = options.purpose ?? 'user';
  if (purpose !== 'user' && purpose !== 'space') throw new CliError(EXIT.usage, '--purpose must be user or space');
  const ttlSeconds = options.ttl === undefined ? undefined : Number(options.ttl);
  if (ttlSeconds !== undefined && !Number.isInteger(ttlSeconds)) throw new CliError(EXIT.usage, '--ttl must be a whole number of seconds');
  const ctx = await context(options, io);
  const connection = await oneConnection(ctx);
  const { body } = await ctx.api.request('post', '/api/v1/connections/{connection}/pairing-tokens', {
    path: { connection },
    body: { purpose, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) },
  });
  ctx.output({ connection, ...body }, () => [
    `pairing code for a ${purpose} on ${connection}: ${body.code}`,
    `  token ${body.tokenId}, valid until ${body.expiresAt}; ${purpose === 'user' ? 'send it to the bot in a direct message' : 'post it in the group'}, then approve it (twokey pairing list)`,
  ]);
  return 0;
}

export async function listPairingCommand(options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const views: components['schemas']['PairingView'][] = [];
  for (const connection of await someConnections(ctx)) views.push((await ctx.api.request('get', '/api/v1/connections/{connection}/pairing', { path: { connection } })).body);
  ctx.output({ items: views }, () => {
    const tokens = views.flatMap((v) => v.tokens.map((t) => [v.connection, t.tokenId, t.purpose, `${t.secondsLeft}s`, t.issuedBy]));
    const observations = views.flatMap((v) =>
      v.observations.map((o) => [v.connection, o.observationId, o.purpose, `${o.actor.displayName} (${o.actor.id})`, `${o.conversation.kind} ${o.conversation.id}`, `${o.secondsLeft}s`]),
    );
    return [
      tokens.length ? 'active codes:' : 'no active codes',
      ...table([['CONNECTION', 'TOKEN', 'PURPOSE', 'LEFT', 'ISSUED BY'], ...tokens]),
      observations.length ? 'awaiting approval (twokey pairing approve <observation>):' : 'nothing awaits approval',
      ...table([['CONNECTION', 'OBSERVATION', 'PURPOSE', 'WHO', 'WHERE', 'LEFT'], ...observations]),
    ];
  });
  return 0;
}

export async function decideCommand(verdict: 'approve' | 'reject', observationId: string, options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const connection = await oneConnection(ctx);
  const path = verdict === 'approve' ? '/api/v1/connections/{connection}/observations/{observationId}/approve' : '/api/v1/connections/{connection}/observations/{observationId}/reject';
  const { body } = await ctx.api.request('post', path, { path: { connection, observationId } });
  ctx.output(body, () => [
    verdict === 'approve' ? `approved ${observationId}: ${body.approved ?? ''} ${body.subjectId ?? ''} is allowlisted on ${connection}`.replace(/\s+/g, ' ') : `rejected ${observationId} on ${connection}`,
  ]);
  return 0;
}

export async function revokeCommand(tokenId: string, options: CommonOptions, io: CliIo): Promise<number> {
  const ctx = await context(options, io);
  const connection = await oneConnection(ctx);
  const { body } = await ctx.api.request('delete', '/api/v1/connections/{connection}/pairing-tokens/{tokenId}', { path: { connection, tokenId } });
  ctx.output(body, () => [`revoked token ${tokenId} on ${connection}`]);
  return 0;
}
