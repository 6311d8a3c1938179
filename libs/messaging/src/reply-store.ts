import type { JetStreamClient, KV } from 'nats';

/**
 * The JetStream KV bucket in which a gateway keeps, per outbound command, the platform message ids it created
 * (so an EditMessage still finds them after a restart). One bucket per connection, named from the subject prefix,
 * so deployments sharing a NATS never share one.
 */
export const replyStoreBucket = (prefix: string, connection: string) => `${prefix}-replies-${connection}`;

/** Edits of a message older than this find nothing (`unknown-target`): a turn and its edits last far less. */
export const REPLY_STORE_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Creates the bucket if missing (the provisioner, or a gateway with ENSURE_STREAMS), or only binds to it: a
 * least-privilege gateway may get and put its keys but not create streams. Direct get is off so the one API subject
 * a gateway needs is `$JS.API.STREAM.MSG.GET.KV_<bucket>`.
 */
export async function openReplyStore(js: JetStreamClient, bucket: string, o: { create: boolean; replicas?: number }): Promise<KV> {
  if (!o.create) return js.views.kv(bucket, { bindOnly: true, allow_direct: false });
  return js.views.kv(bucket, { history: 1, ttl: REPLY_STORE_TTL_MS, replicas: o.replicas ?? 1, allow_direct: false });
}
