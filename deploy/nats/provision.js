#!/usr/bin/env node
'use strict';
// Creates (or updates) the four streams and the durable consumers of the less trusted clients, as the NATS user
// `provisioner`. Run by `npm start` and by the pairing-service pod's init container in Kubernetes, so no service
// needs permission to manage streams and no gateway or agent can create a consumer (which would let it choose a
// push deliver subject). Needs the compiled libs (`npm run build`); the container image has them.
const path = require('node:path');

const dist = (lib) => require(path.join(__dirname, '..', '..', 'dist', 'libs', lib, 'src', 'index.js'));

const ACK_WAIT_MS = 60_000;
/** The agent bridge's consumers: an admitted message that keeps failing is dead-lettered, not retried forever. */
const AGENT_MAX_DELIVER = 5;
/** Turn records live as long as the admitted stream keeps the messages they guard. */
const AGENT_KV_TTL_MS = 7 * 24 * 3_600_000;

const USAGE = `usage: node deploy/nats/provision.js
  Creates or updates the streams (libs/messaging ensureStreams), the KV buckets of logged-out sessions and of the
  last connection tests, the snapshot buckets of the pairing-service and the admin-api, each gateway's sent-message
  KV bucket <prefix>-replies-<connection>, the agent bridge's KV bucket, and the durable pull consumers
  gateway-<connection> (on the outbound stream), agent (on the admitted stream) and agent-delivered (on the
  delivered stream).
  Environment: NATS_URL, NATS_USER (provisioner), NATS_PASSWORD, TWOKEY_SUBJECT_PREFIX (twokey),
  STREAM_REPLICAS (1; 3 on a 3-node cluster), TWOKEY_CONNECTIONS (telegram,discord,slack,mattermost,feishu,line),
  PROVISION_TIMEOUT_SECONDS (300: how long to wait for NATS and JetStream to be available),
  STREAM_MAX_BYTES_INBOUND, _ADMITTED, _OUTBOUND, _DELIVERED (size limits of the transport streams in bytes;
  defaults 512 MiB, 256 MiB, 192 MiB, 64 MiB; keep their sum well below JetStream's max_file_store).`;

const TRANSPORTS = ['inbound', 'admitted', 'outbound', 'delivered'];

/** The consumer configurations, identical to what libs/gateway-kit's OutboundConsumer would create. */
function consumerConfigs(s, connections) {
  const { AckPolicy, DeliverPolicy, nanos } = require('nats');
  const pull = { ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(ACK_WAIT_MS), max_deliver: -1 };
  return [
    ...connections.map((c) => ({
      stream: s.streams.outbound,
      config: { ...pull, durable_name: `gateway-${c}`, filter_subject: s.outbound(c) },
    })),
    { stream: s.streams.admitted, config: { ...pull, durable_name: 'agent', max_deliver: AGENT_MAX_DELIVER } },
    {
      stream: s.streams.delivered,
      config: { ...pull, durable_name: 'agent-delivered', deliver_policy: DeliverPolicy.New, max_deliver: AGENT_MAX_DELIVER },
    },
  ];
}

async function ensureConsumers(jsm, s, connections) {
  const created = [];
  for (const { stream, config } of consumerConfigs(s, connections)) {
    try {
      await jsm.consumers.info(stream, config.durable_name);
    } catch (e) {
      if (!/consumer not found/i.test(e.message) && e.code !== '404') throw e;
      await jsm.consumers.add(stream, config);
      created.push(config.durable_name);
    }
  }
  return created;
}

/**
 * @param {{ url: string, user?: string, password?: string, prefix: string, replicas: number,
 *           connections: readonly string[], timeoutMs?: number, log?: (line: string) => void }} o
 */
async function provision(o) {
  const { connectNats, ensureStreams, openSessionRevocations, openConnectionTests, openSnapshotBucket, DEFAULT_STREAM_OPTIONS, openReplyStore, replyStoreBucket } = dist('messaging');
  const { subjects } = dist('contracts');
  const s = subjects(o.prefix);
  const log = o.log ?? (() => undefined);
  const deadline = Date.now() + (o.timeoutMs ?? 300_000);
  let attempt = 0;
  for (;;) {
    let nc;
    try {
      nc = await connectNats({ url: o.url, user: o.user, password: o.password, name: 'twokey-provisioner' }, {
        maxReconnectAttempts: 0,
        timeout: 5_000,
      });
      // Short API timeouts: while a new cluster elects its JetStream leader, a retry soon beats a long wait.
      const jsm = await nc.jetstreamManager({ timeout: 2_000 });
      const transportMaxBytes = { ...DEFAULT_STREAM_OPTIONS.transportMaxBytes, ...o.transportMaxBytes };
      await ensureStreams(jsm, s, { ...DEFAULT_STREAM_OPTIONS, replicas: o.replicas, manageReplicas: true, manageLimits: true, transportMaxBytes });
      await openSessionRevocations(nc.jetstream(), s, { create: true, replicas: o.replicas });
      await openConnectionTests(nc.jetstream(), s, { create: true, replicas: o.replicas });
      for (const owner of ['pairing-service', 'admin-api']) await openSnapshotBucket(nc.jetstream(), s, owner, { create: true, replicas: o.replicas });
      const created = await ensureConsumers(jsm, s, o.connections);
      // The buckets in which gateways keep the ids of the messages they sent (edits after a restart).
      for (const c of o.connections) await openReplyStore(nc.jetstream({ timeout: 2_000 }), replyStoreBucket(o.prefix, c), { create: true, replicas: o.replicas });
      // The agent bridge's KV bucket (sessions, turn records): created here so the agent user never manages streams.
      await nc.jetstream().views.kv(require('./nats-auth.js').agentBucket(o.prefix), { history: 1, ttl: AGENT_KV_TTL_MS });
      log(`streams ready (${Object.values(s.streams).join(', ')}; replicas ${o.replicas})` +
        (created.length ? `; created consumers ${created.join(', ')}` : ''));
      return;
    } catch (e) {
      // Authorization and permission errors will not heal by waiting; an unelected JetStream leader will.
      if (/authorization|permissions violation/i.test(e.message) || Date.now() > deadline) throw e;
      attempt++;
      if (attempt === 1 || attempt % 10 === 0) log(`waiting for NATS JetStream at ${o.url}: ${e.message}`);
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 3_000)));
    } finally {
      await nc?.close().catch(() => undefined);
    }
  }
}

function fromEnv(env) {
  const replicas = Number(env.STREAM_REPLICAS ?? '1');
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new Error('STREAM_REPLICAS must be an integer from 1 to 5');
  const connections = (env.TWOKEY_CONNECTIONS ?? 'telegram,discord,slack,mattermost,feishu,line')
    .split(',').map((c) => c.trim()).filter(Boolean);
  const transportMaxBytes = {};
  for (const t of TRANSPORTS) {
    const raw = env[`STREAM_MAX_BYTES_${t.toUpperCase()}`];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1024 * 1024) throw new Error(`STREAM_MAX_BYTES_${t.toUpperCase()} must be a whole number of bytes, at least 1 MiB`);
    transportMaxBytes[t] = n;
  }
  return {
    transportMaxBytes,
    url: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    user: env.NATS_USER || undefined,
    password: env.NATS_PASSWORD || undefined,
    prefix: env.TWOKEY_SUBJECT_PREFIX || 'twokey',
    replicas,
    connections,
    timeoutMs: Number(env.PROVISION_TIMEOUT_SECONDS ?? '300') * 1000,
  };
}

async function main() {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  await provision({ ...fromEnv(process.env), log: (l) => console.log(`provision: ${l}`) });
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`provision: failed: ${e.message}`);
    process.exit(1);
  });
}

module.exports = { provision, consumerConfigs, fromEnv };
