import type { JetStreamClient, KV } from 'nats';
import type { Subjects } from '@twokey/contracts';

/**
 * The KV bucket of the last connection test per connection, shared by every admin-api replica (key: connection id,
 * value: the result as JSON). Named like the streams (deploy/nats/nats-auth.js keeps the rule for the
 * {CONNECTION_TESTS} placeholder).
 */
export function connectionTestsBucket(s: Subjects): string {
  return `${s.prefix.toUpperCase().replace(/-/g, '_')}_ADMIN_CONNECTION_TESTS`;
}

/** Creates the bucket if it is missing (the provisioner; admin-api with ENSURE_STREAMS), or binds to it. */
export async function openConnectionTests(js: JetStreamClient, s: Subjects, o: { create: boolean; replicas?: number }): Promise<KV> {
  const name = connectionTestsBucket(s);
  if (!o.create) return js.views.kv(name, { bindOnly: true });
  return js.views.kv(name, { history: 1, replicas: o.replicas ?? 1, maxValueSize: 4096 });
}
