import type { JetStreamClient, KV } from 'nats';
import type { Subjects } from '@twokey/contracts';

/** Longest console session the revocation bucket can outlive (SESSION_TTL_SECONDS is capped to it). */
export const MAX_SESSION_TTL_SECONDS = 30 * 24 * 3600;

/**
 * The KV bucket of logged-out admin sessions, shared by every admin-api replica (M2). Named like the streams
 * (deploy/nats/nats-auth.js keeps the same rule for the {SESSIONS} placeholder). Its entries age out once no
 * session they name could still be valid.
 */
export function sessionRevocationsBucket(s: Subjects): string {
  return `${s.prefix.toUpperCase().replace(/-/g, '_')}_ADMIN_SESSIONS`;
}

/** Creates the bucket if it is missing (the provisioner; admin-api with ENSURE_STREAMS), or binds to it. */
export async function openSessionRevocations(js: JetStreamClient, s: Subjects, o: { create: boolean; replicas?: number }): Promise<KV> {
  const name = sessionRevocationsBucket(s);
  if (!o.create) return js.views.kv(name, { bindOnly: true });
  return js.views.kv(name, { history: 1, ttl: MAX_SESSION_TTL_SECONDS * 1000, replicas: o.replicas ?? 1, maxValueSize: 64 });
}
