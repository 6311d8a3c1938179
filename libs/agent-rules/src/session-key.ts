import type { AdmittedMessage } from '@twokey/contracts';

/** One agent session per thread (default), per conversation, or per actor inside a conversation. */
export const SESSION_SCOPES = ['thread', 'conversation', 'user'] as const;
export type SessionScope = (typeof SESSION_SCOPES)[number];

export interface SessionKey {
  /** Readable, for logs and status: `telegram/123/thread:9`. */
  label: string;
  /** The same tuple as a NATS KV key token (base64url never contains a dot, a space or a wildcard). */
  kvToken: string;
}

/**
 * The session an admitted message belongs to. A thread inside a conversation is its own session under `thread`;
 * `user` keeps one session per actor in the conversation (threads of one actor share it).
 */
export function sessionKeyOf(m: Pick<AdmittedMessage, 'connection' | 'message'>, scope: SessionScope): SessionKey {
  const { conversation, actor } = m.message;
  const parts = [m.connection, conversation.id];
  if (scope === 'thread') parts.push(`thread:${conversation.threadId ?? '-'}`);
  if (scope === 'user') parts.push(`user:${actor.id}`);
  const label = parts.join('/');
  return { label, kvToken: Buffer.from(label, 'utf8').toString('base64url') };
}
