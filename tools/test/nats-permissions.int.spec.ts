// The §7 least-privilege users, generated from deploy/nats/permissions.json, on a real nats-server: what each
// service may do works, and what it must never do is refused by the server (not by our code).
import { randomBytes } from 'node:crypto';
import { AckPolicy, connect, headers, JSONCodec, NatsConnection, NatsError, Status, Subscription } from 'nats';
import { subjects } from '@twokey/contracts';
import { z } from 'zod';
import {
  connectionTestsBucket, connectNats, openConnectionTests, openSessionRevocations, openSnapshotBucket, RpcProof, rpcRequest, RpcUnauthenticated, serveRpc, sessionRevocationsBucket,
  snapshotBucket, SnapshotStore, type SnapshotOwner,
} from '@twokey/messaging';
import { startNats, type NatsHarness } from '@twokey/test-support';
import { JsonLogger } from '@twokey/service-kit';
import { SCRIPTED_AGENT_JS } from '@twokey/test-support/fakes/acp';
import { agentBucket, generatePassword, natsUsers, passwordEnvVar, renderAuthorization } from '../../deploy/nats/nats-auth';
import { createAgentBridge } from '../../apps/agent-bridge/src/agent-bridge';
import { loadAgentBridgeConfig } from '../../apps/agent-bridge/src/config';
import { provision } from '../../deploy/nats/provision';
import { assertBuilt } from './support/dist';

// A private server: the configuration names the real default prefix, so the test proves the design's exact claims
// about `twokey.*` subjects (no other suite shares this server).
const PREFIX = 'twokey';
const s = subjects(PREFIX);
const CONNECTIONS = ['telegram', 'discord'];
const jc = JSONCodec();

let nats: NatsHarness;
const passwords: Record<string, string> = {};
const open: NatsConnection[] = [];

async function as(user: string): Promise<NatsConnection> {
  const nc = await connectNats({ url: nats.url, user, password: passwords[user], name: `test-${user}` }, {
    waitOnFirstConnect: false,
    maxReconnectAttempts: 0,
  });
  open.push(nc);
  return nc;
}

/** Resolves with the server's permission error for `subject` (reported asynchronously on the connection). */
function permissionError(nc: NatsConnection, operation: 'publish' | 'subscription', subject: string, timeoutMs = 3_000) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${operation} permission error for ${subject}`)), timeoutMs);
    void (async () => {
      for await (const st of nc.status() as AsyncIterable<Status & { permissionContext?: { operation: string; subject: string } }>) {
        if (st.permissionContext?.operation === operation && st.permissionContext.subject === subject) {
          clearTimeout(timer);
          resolve();
          return;
        }
      }
    })();
  });
}

async function expectPublishDenied(nc: NatsConnection, subject: string) {
  const denied = permissionError(nc, 'publish', subject);
  nc.publish(subject, jc.encode({ probe: true }));
  await denied;
}

async function expectSubscribeDenied(nc: NatsConnection, subject: string) {
  const denied = permissionError(nc, 'subscription', subject);
  const sub: Subscription = nc.subscribe(subject);
  await denied;
  sub.unsubscribe();
}

async function expectRequestDenied(nc: NatsConnection, subject: string) {
  await expect(nc.request(subject, jc.encode({}), { timeout: 3_000 })).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
}

/** Everything published on `subject` reaches this pairing-service subscriber, so a refused call provably never did. */
async function witness(subject: string): Promise<{ seen: string[] }> {
  const nc = await as('pairing-service');
  const seen: string[] = [];
  nc.subscribe(subject, { callback: (_e, m) => seen.push(m.subject) });
  await nc.flush();
  return { seen };
}

async function subjectCount(stream: string, subject: string): Promise<number> {
  const admin = await as('pairing-service');
  const jsm = await admin.jetstreamManager();
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

beforeAll(async () => {
  assertBuilt('dist/libs/messaging/src/index.js', 'dist/libs/contracts/src/index.js');
  const users = natsUsers({ prefix: PREFIX, connections: CONNECTIONS });
  const env: Record<string, string> = {};
  for (const u of users) {
    passwords[u.name] = generatePassword();
    env[passwordEnvVar(u.name)] = passwords[u.name];
  }
  nats = await startNats({ spawn: true, config: renderAuthorization(users), env });
  await provision({ url: nats.url, user: 'provisioner', password: passwords.provisioner, prefix: PREFIX, replicas: 1, connections: CONNECTIONS, timeoutMs: 10_000 });
});

afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  await nats?.dispose();
});

describe('authentication', () => {
  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(connect({ servers: nats.url, maxReconnectAttempts: 0 })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await expect(connect({ servers: nats.url, user: 'gateway-telegram', pass: 'wrong', maxReconnectAttempts: 0 })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
  });
});

describe('gateway-telegram', () => {
  it('publishes its own inbound subject through JetStream and its dead letters', async () => {
    const gw = await as('gateway-telegram');
    const ack = await gw.jetstream().publish(s.inbound('telegram'), jc.encode({ probe: 1 }), { msgID: 'telegram:perm-1' });
    expect(ack.stream).toBe(s.streams.inbound);
    const dlq = await witness(s.dlq('gateway.telegram'));
    gw.publish(s.dlq('gateway.telegram'), jc.encode({ reason: 'probe' }));
    await gw.flush();
    await waitFor(() => dlq.seen.length === 1);
  });

  it('consumes its outbound consumer and acks', async () => {
    const agent = await as('agent');
    await agent.jetstream().publish(s.outbound('telegram'), jc.encode({ n: 1 }));
    await agent.jetstream().publish(s.outbound('discord'), jc.encode({ n: 2 }));
    const gw = await as('gateway-telegram');
    const consumer = await gw.jetstream().consumers.get(s.streams.outbound, 'gateway-telegram');
    const m = await consumer.next({ expires: 2_000 });
    expect(m?.subject).toBe(s.outbound('telegram'));
    expect(await m!.ackAck()).toBe(true);
    expect((await consumer.info()).num_ack_pending).toBe(0);
  });

  it.each(['connection-test', 'status'])('answers its own %s requests and nobody else’s', async (verb) => {
    const gw = await as('gateway-telegram');
    gw.subscribe(s.rpcGateway('telegram', verb), { callback: (_e, m) => m.respond(jc.encode({ ok: true })) });
    await gw.flush();
    const admin = await as('admin-api');
    const reply = await admin.request(s.rpcGateway('telegram', verb), jc.encode({}), { timeout: 3_000 });
    expect(jc.decode(reply.data)).toEqual({ ok: true });
    await expectSubscribeDenied(gw, s.rpcGateway('discord', verb));
  });

  it('cannot write to the event store', async () => {
    const gw = await as('gateway-telegram');
    await expect(gw.jetstream().publish(s.events('access-telegram'), jc.encode({ forged: true }))).rejects.toMatchObject({
      code: 'PERMISSIONS_VIOLATION',
    });
    await expectPublishDenied(gw, s.events('access-telegram'));
    expect(await subjectCount(s.streams.events, s.events('access-telegram'))).toBe(0);
  });

  it('cannot publish another connection’s inbound subject', async () => {
    const gw = await as('gateway-telegram');
    await expect(gw.jetstream().publish(s.inbound('discord'), jc.encode({ spoofed: true }))).rejects.toMatchObject({
      code: 'PERMISSIONS_VIOLATION',
    });
    expect(await subjectCount(s.streams.inbound, s.inbound('discord'))).toBe(0);
  });

  it('cannot call the pairing commands', async () => {
    const rpc = await witness(s.rpcPairingAll());
    const gw = await as('gateway-telegram');
    for (const verb of ['issue-pairing-token', 'approve-observation', 'add-user']) {
      await expectRequestDenied(gw, s.rpcPairing(verb));
    }
    const probe = await as('admin-api');
    probe.publish(s.rpcPairing('probe'), jc.encode({}));
    await waitFor(() => rpc.seen.length === 1);
    expect(rpc.seen).toEqual([s.rpcPairing('probe')]);
  });

  it('cannot read events, admitted messages, other inboxes or create consumers', async () => {
    const gw = await as('gateway-telegram');
    await expectSubscribeDenied(gw, s.eventsAll());
    await expectSubscribeDenied(gw, s.admittedAll());
    await expectSubscribeDenied(gw, '_INBOX.>');
    await expectSubscribeDenied(gw, '_INBOX_admin-api.>');
    const jsm = await gw.jetstreamManager();
    await expect(jsm.streams.info(s.streams.events)).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    // A consumer would let it pick a push deliver subject: only the provisioner creates gateway consumers.
    await expect(
      jsm.consumers.add(s.streams.outbound, { durable_name: 'gateway-telegram-2', ack_policy: AckPolicy.Explicit, deliver_subject: s.events('x') }),
    ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  });
});

describe('agent', () => {
  it('reads admitted messages through its consumer and publishes outbound', async () => {
    const ps = await as('pairing-service');
    await ps.jetstream().publish(s.admitted('telegram'), jc.encode({ hello: 'agent' }));
    const agent = await as('agent');
    const consumer = await agent.jetstream().consumers.get(s.streams.admitted, 'agent');
    const m = await consumer.next({ expires: 2_000 });
    expect(m?.subject).toBe(s.admitted('telegram'));
    expect(jc.decode(m!.data)).toEqual({ hello: 'agent' });
    m!.ack();
    const ack = await agent.jetstream().publish(s.outbound('discord'), jc.encode({ reply: true }));
    expect(ack.stream).toBe(s.streams.outbound);
  });

  it('cannot reach twokey.rpc.> (no code can be issued, seen or approved)', async () => {
    const rpc = await witness('twokey.rpc.>');
    const agent = await as('agent');
    await expectRequestDenied(agent, s.rpcPairing('issue-pairing-token'));
    await expectRequestDenied(agent, s.rpcPairing('approve-observation'));
    await expectRequestDenied(agent, s.rpcGateway('telegram', 'connection-test'));
    await expectPublishDenied(agent, s.rpcPairing('issue-pairing-token'));
    await expectSubscribeDenied(agent, 'twokey.rpc.>');
    await expectSubscribeDenied(agent, s.rpcPairing('issue-pairing-token'));
    // The reply to the admin-api carries a fresh code: the agent cannot listen on its inbox, or on any inbox.
    await expectSubscribeDenied(agent, '_INBOX_admin-api.>');
    await expectSubscribeDenied(agent, '_INBOX.>');
    expect(rpc.seen).toEqual([]);
  });

  it('L2: a pull redirected onto twokey.rpc.pairing.<verb> or a gateway’s RPC reaches the server but is refused unparsed', async () => {
    const proof = new RpcProof('l2-test-rpc-auth-secret-0123456789abcdef');
    const ps = await as('pairing-service');
    const handled: string[] = [];
    const refused: Record<'pairing' | 'gateway', RpcUnauthenticated[]> = { pairing: [], gateway: [] };
    const handler = async (body: unknown) => {
      handled.push(JSON.stringify(body));
      return {};
    };
    const onError = (to: 'pairing' | 'gateway') => (e: unknown) => void (e instanceof RpcUnauthenticated && refused[to].push(e));
    const pairingSub = serveRpc(ps, s.rpcPairing('issue-token'), 'l2', handler, onError('pairing'), proof);
    const gw = await as('gateway-telegram');
    // Gateways hold no RPC secret: their handlers refuse what carries a JetStream reply subject.
    const gatewaySub = serveRpc(gw, s.rpcGateway('telegram', 'connection-test'), 'l2', handler, onError('gateway'));
    await Promise.all([ps.flush(), gw.flush()]);
    const arrived = await witness(s.rpcPairing('issue-token'));

    // The review's redirect: the agent asks its own consumer for the next message, naming an RPC subject as the
    // pull's reply subject, which its permissions do not govern. The server delivers the stored message there.
    const agent = await as('agent');
    for (const target of [s.rpcPairing('issue-token'), s.rpcGateway('telegram', 'connection-test')]) {
      await ps.jetstream().publish(s.admitted('telegram'), jc.encode({ connection: 'telegram', purpose: 'user', redirected: target }));
      agent.publish(`$JS.API.CONSUMER.MSG.NEXT.${s.streams.admitted}.agent`, jc.encode({ batch: 1, expires: 2_000_000_000 }), { reply: target });
    }
    await agent.flush();
    await waitFor(() => refused.pairing.length === 1 && refused.gateway.length === 1 && arrived.seen.length === 1);
    // Delivered to the RPC subscriptions, still named after the stream subject, replying to a JetStream ack.
    for (const e of [...refused.pairing, ...refused.gateway]) {
      expect(e.subject).toBe(s.admitted('telegram'));
      expect(e.reply).toMatch(/^\$JS\.ACK\./);
    }
    expect(handled).toEqual([]);

    // The admin-api's proved request is served.
    const admin = await as('admin-api');
    await rpcRequest(admin, s.rpcPairing('issue-token'), { proved: true }, z.object({}).passthrough(), 3_000, proof);
    expect(handled).toEqual([JSON.stringify({ proved: true })]);
    pairingSub.unsubscribe();
    gatewaySub.unsubscribe();
  });

  it('cannot reach twokey.events.>', async () => {
    const agent = await as('agent');
    await expectSubscribeDenied(agent, 'twokey.events.>');
    await expectPublishDenied(agent, s.events('access-telegram'));
    const jsm = await agent.jetstreamManager();
    await expect(jsm.streams.info(s.streams.events)).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(jsm.streams.getMessage(s.streams.events, { seq: 1 })).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(jsm.consumers.add(s.streams.events, { ack_policy: AckPolicy.None })).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(agent.jetstream().consumers.get(s.streams.events)).rejects.toBeInstanceOf(NatsError);
  });

  it('cannot publish admitted or inbound messages (it cannot admit itself)', async () => {
    const agent = await as('agent');
    const h = headers();
    h.set('Nats-Msg-Id', 'forged');
    await expect(agent.jetstream().publish(s.admitted('telegram'), jc.encode({}), { headers: h })).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(agent.jetstream().publish(s.inbound('telegram'), jc.encode({}))).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  });
});

describe('agent: what the bridge needs, and no more', () => {
  it('runs the real agent bridge as `agent`: consumes, keeps its KV, replies, answers its status to the admin-api', async () => {
    const bridge = createAgentBridge(
      loadAgentBridgeConfig({
        NATS_URL: nats.url,
        NATS_USER: 'agent',
        NATS_PASSWORD: passwords.agent,
        TWOKEY_SUBJECT_PREFIX: PREFIX,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        ENSURE_STREAMS: 'false',
        AGENT_COMMAND: `${process.execPath} ${SCRIPTED_AGENT_JS}`,
      }),
      { logger: new JsonLogger('test', 'error', { write: () => undefined }) },
    );
    await bridge.start();
    try {
      const ps = await as('pairing-service');
      const at = new Date().toISOString();
      const message = {
        schemaVersion: 1, connection: 'discord', platform: 'discord', platformMessageId: 'perm-agent-1', sentAt: at, receivedAt: at,
        actor: { id: 'u-1', displayName: 'U' }, conversation: { id: 'dm-1', kind: 'dm' }, text: 'hello bridge',
      };
      await ps.jetstream().publish(s.admitted('discord'), jc.encode({ schemaVersion: 1, connection: 'discord', platform: 'discord', admittedAt: at, message }));
      const gw = await as('gateway-discord');
      const consumer = await gw.jetstream().consumers.get(s.streams.outbound, 'gateway-discord');
      let reply: { text?: string; conversationId?: string } | undefined;
      const deadline = Date.now() + 15_000;
      while (!reply?.text?.includes('echo: hello bridge') && Date.now() < deadline) {
        const m = await consumer.next({ expires: 1_000 });
        if (m) {
          reply = jc.decode(m.data) as typeof reply;
          m.ack();
        }
      }
      expect(reply).toMatchObject({ conversationId: 'dm-1', text: 'echo: hello bridge' });
      const admin = await as('admin-api');
      const status = jc.decode((await admin.request(s.rpcAgent('status'), jc.encode({}), { timeout: 3_000 })).data) as { mode: string; sessions: number };
      expect(status).toMatchObject({ mode: 'acp', sessions: 1 });
    } finally {
      await bridge.stop();
    }
  });

  it('cannot ask a gateway anything but its status, nor listen to gateway rpc, nor manage streams or consumers', async () => {
    const agent = await as('agent');
    await expectRequestDenied(agent, s.rpcGateway('telegram', 'connection-test'));
    await expectSubscribeDenied(agent, s.rpcGateway('telegram', 'status'));
    await expectPublishDenied(agent, s.dlq('inbound'));
    const jsm = await agent.jetstreamManager();
    await expect(jsm.consumers.add(s.streams.admitted, { ack_policy: AckPolicy.Explicit, durable_name: 'mine' })).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(jsm.consumers.add(`KV_${agentBucket(PREFIX)}`, { ack_policy: AckPolicy.None })).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(jsm.streams.delete(`KV_${agentBucket(PREFIX)}`)).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(jsm.streams.info(s.streams.inbound)).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  });
});

describe('admin-api', () => {
  it('calls the pairing commands but never writes events directly', async () => {
    const ps = await as('pairing-service');
    ps.subscribe(s.rpcPairingAll(), { queue: 'pairing-service', callback: (_e, m) => m.respond(jc.encode({ position: 1 })) });
    await ps.flush();
    const admin = await as('admin-api');
    const reply = await admin.request(s.rpcPairing('issue-pairing-token'), jc.encode({}), { timeout: 3_000 });
    expect(jc.decode(reply.data)).toEqual({ position: 1 });
    await expect(admin.jetstream().publish(s.events('access-telegram'), jc.encode({}))).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  });

  it('M2: shares logged-out sessions through the KV bucket the provisioner made; no other user reads or writes it', async () => {
    const admin = await as('admin-api');
    const kv = await openSessionRevocations(admin.jetstream(), s, { create: false });
    await kv.put('perm-session', String(Date.now() + 60_000));
    const other = await openSessionRevocations((await as('admin-api')).jetstream(), s, { create: false });
    const watch = await other.watch();
    for await (const e of watch) {
      expect(e.key).toBe('perm-session');
      break;
    }
    for (const user of ['agent', 'gateway-telegram']) {
      const nc = await as(user);
      await expectPublishDenied(nc, `$KV.${sessionRevocationsBucket(s)}.forged`);
      await expectRequestDenied(nc, `$JS.API.CONSUMER.CREATE.KV_${sessionRevocationsBucket(s)}`);
    }
  });
});

describe('connection tests bucket', () => {
  it('the admin-api replicas share the last connection tests; no other user reads or writes them', async () => {
    const kv = await openConnectionTests((await as('admin-api')).jetstream(), s, { create: false });
    await kv.put('telegram', JSON.stringify({ ok: true, at: new Date().toISOString() }));
    const other = await openConnectionTests((await as('admin-api')).jetstream(), s, { create: false });
    // The admin-api reads the bucket by watching it (KvConnectionTests), as every replica does.
    for await (const e of await other.watch()) {
      expect([e.key, e.json()]).toEqual(['telegram', expect.objectContaining({ ok: true })]);
      break;
    }
    for (const user of ['agent', 'gateway-telegram', 'pairing-service']) {
      const nc = await as(user);
      await expectPublishDenied(nc, `$KV.${connectionTestsBucket(s)}.telegram`);
      await expectRequestDenied(nc, `$JS.API.CONSUMER.CREATE.KV_${connectionTestsBucket(s)}`);
      await expectRequestDenied(nc, `$JS.API.STREAM.INFO.KV_${connectionTestsBucket(s)}`);
    }
  });
});

describe('snapshot buckets', () => {
  const OWNERS: SnapshotOwner[] = ['pairing-service', 'admin-api'];

  it.each(OWNERS)('%s writes and reads back its snapshots in the bucket the provisioner made', async (owner) => {
    const nc = await as(owner);
    // A commit to snapshot after (the pairing-service writes the log; the admin-api reads it).
    const writer = await as('pairing-service');
    const position = (await writer.jetstream().publish(s.events('access-telegram'), jc.encode({ probe: owner }))).seq;
    const bucket = await openSnapshotBucket(nc.jetstream(), s, owner, { create: false });
    const store = new SnapshotStore(bucket, await nc.jetstreamManager(), s.streams.events, 'probe', '1');
    // Megabytes, as a read model of 100,000 users is: many chunks, and flow control while reading them back.
    const body = randomBytes(6 * 1024 * 1024); // incompressible: the stored gzip is as large
    await store.save(position, body);
    await store.save(position, body);
    const loaded = await store.load();
    expect(loaded.status).toBe('loaded');
    expect(loaded.status === 'loaded' && loaded.body.equals(body)).toBe(true);
    // Replacing purged the old chunks (nats.js ignores a refused purge, so only the count shows it): one object left.
    const info = await (await nc.jetstreamManager()).streams.info(`OBJ_${snapshotBucket(s, owner)}`);
    const chunks = Math.ceil((body.byteLength * 1.01 + 400) / (128 * 1024));
    expect(info.state.messages).toBeLessThanOrEqual(chunks + 1);
  });

  it('each service reaches only its own bucket; the agent and the gateways neither', async () => {
    for (const [user, owner] of [
      ['agent', 'pairing-service'],
      ['agent', 'admin-api'],
      ['gateway-telegram', 'pairing-service'],
      ['gateway-telegram', 'admin-api'],
      ['admin-api', 'pairing-service'],
      ['pairing-service', 'admin-api'],
    ] as const) {
      const nc = await as(user);
      const bucket = snapshotBucket(s, owner);
      await expectPublishDenied(nc, `$O.${bucket}.C.forged`);
      await expectPublishDenied(nc, `$O.${bucket}.M.forged`);
      await expectRequestDenied(nc, `$JS.API.STREAM.INFO.OBJ_${bucket}`);
      await expectRequestDenied(nc, `$JS.API.STREAM.MSG.GET.OBJ_${bucket}`);
      await expectRequestDenied(nc, `$JS.API.CONSUMER.CREATE.OBJ_${bucket}`);
      await expectRequestDenied(nc, `$JS.API.STREAM.PURGE.OBJ_${bucket}`);
      await expectSubscribeDenied(nc, `$O.${bucket}.>`);
      await expect(openSnapshotBucket(nc.jetstream(), s, owner, { create: false })).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
