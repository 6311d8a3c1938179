/**
 * The service under its own NATS user (deploy/nats/permissions.json, design §7), streams made by the provisioner:
 * the whole pairing flow works with exactly the permissions the deployment grants, nothing more.
 */
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { PairingReplySchema, subjects, type InboundMessage, type PairingReply, type PairingVerb } from '@twokey/contracts';
import { connectNats, RpcProof, rpcRequest } from '@twokey/messaging';
import { startNats, type NatsHarness } from '@twokey/test-support';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the users and provisioner exactly as deployed
import { generatePassword, natsUsers, passwordEnvVar, renderAuthorization } from '../../../deploy/nats/nats-auth';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the users and provisioner exactly as deployed
import { provision } from '../../../deploy/nats/provision';
import { loadPairingConfig } from '../src/config';
import { buildDist } from './service-process';
import { ADMIN, inbound, startService, TEST_RPC_AUTH_SECRET, until, type RunningService } from './support';

const PREFIX = `lp${randomBytes(3).toString('hex')}`;
const s = subjects(PREFIX);

describe('pairing-service with least-privilege NATS users', () => {
  let nats: NatsHarness;
  let running: RunningService | undefined;
  const passwords: Record<string, string> = {};
  const open: NatsConnection[] = [];

  const as = async (user: string) => {
    const nc = await connectNats({ url: nats.url, user, password: passwords[user], name: `test-${user}` });
    open.push(nc);
    return nc;
  };

  beforeAll(async () => {
    buildDist(); // the provisioner runs the compiled libs, as in the container image
    const users = natsUsers({ prefix: PREFIX, connections: ['telegram'] });
    const env: Record<string, string> = {};
    for (const u of users) env[passwordEnvVar(u.name)] = passwords[u.name] = generatePassword();
    nats = await startNats({ spawn: true, config: renderAuthorization(users), env });
    await provision({ url: nats.url, user: 'provisioner', password: passwords.provisioner, prefix: PREFIX, replicas: 1, connections: ['telegram'], timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await running?.service.stop();
    for (const nc of open) await nc.close().catch(() => undefined);
    await nats?.dispose();
  });

  it('pairs, admits and denies with only its own permissions', async () => {
    running = await startService(
      loadPairingConfig({
        NATS_URL: nats.url,
        NATS_USER: 'pairing-service',
        NATS_PASSWORD: passwords['pairing-service'],
        TWOKEY_SUBJECT_PREFIX: PREFIX,
        ENSURE_STREAMS: 'false',
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        PAIRING_HMAC_SECRET: randomBytes(24).toString('hex'),
        RPC_AUTH_SECRET: TEST_RPC_AUTH_SECRET,
        REPLY_CAPABILITY_SECRET: randomBytes(24).toString('hex'),
        DENIAL_WINDOW_SECONDS: '1',
        ACK_WAIT_SECONDS: '5',
      }),
    );
    const admin = await as('admin-api');
    const gateway = await as('gateway-telegram');
    const agent = await as('agent');
    const rpc = async <V extends PairingVerb>(verb: V, body: Record<string, unknown>) => {
      const request = { connection: 'telegram', initiator: ADMIN, correlationId: `lp-${verb}`, ...body };
      const reply = (await rpcRequest(admin, s.rpcPairing(verb), request, PairingReplySchema(verb), 5_000, new RpcProof(TEST_RPC_AUTH_SECRET))) as PairingReply<V>;
      if (!reply.ok) throw new Error(`${verb}: ${JSON.stringify(reply.error)}`);
      return reply.result as Record<string, string>;
    };
    const publish = (m: InboundMessage) =>
      gateway.jetstream().publish(s.inbound('telegram'), JSON.stringify(m), { msgID: `telegram:${m.platformMessageId}` });

    const issued = await rpc('issue-token', { purpose: 'user' });
    await publish(inbound({ actor: { id: '9001' }, text: issued.code }));
    // admin-api reads the event store; wait for the observation there, as the console would.
    const observationId = await until('TokenObserved', async () => {
      const jsm = await admin.jetstreamManager();
      const last = await jsm.streams.getMessage(s.streams.events, { last_by_subj: s.events('access-telegram') }).catch(() => undefined);
      const text = last ? Buffer.from(last.data).toString() : '';
      return /"type":"TokenObserved"/.test(text) ? (/"observationId":"([^"]+)"/.exec(text)?.[1] ?? undefined) : undefined;
    });
    await rpc('approve-observation', { observationId });

    const hello = inbound({ actor: { id: '9001' }, text: 'least privilege works' });
    await publish(hello);
    await publish(inbound({ actor: { id: '9002' }, text: 'stranger' }));
    const consumer = await agent.jetstream().consumers.get(s.streams.admitted, 'agent');
    const m = await consumer.next({ expires: 5_000 });
    expect(m?.json<{ message: InboundMessage }>().message.platformMessageId).toBe(hello.platformMessageId);
    m?.ack();

    const adminJsm = await admin.jetstreamManager();
    const serviceJsm = await (await as('pairing-service')).jetstreamManager();
    await until('the stranger denied and every inbound message acked', async () => {
      const denied = await adminJsm.streams.getMessage(s.streams.events, { last_by_subj: s.events('activity-telegram') }).catch(() => undefined);
      const info = await serviceJsm.consumers.info(s.streams.inbound, 'pairing-service');
      return denied !== undefined && info.num_ack_pending === 0 && info.num_pending === 0;
    });
    expect(running.fatal).toEqual([]);
    expect(running.logs.text).not.toMatch(/Permissions Violation/i);
  });

  it("the admin-api may ask a gateway a space's title; the agent may not", async () => {
    const gateway = await as('gateway-telegram');
    const asked: string[] = [];
    const sub = gateway.subscribe(s.rpcGateway('telegram', 'space-title'), {
      callback: (_e, m) => {
        asked.push(m.string());
        m.respond(JSON.stringify({ spaceId: '-100', title: 'Lab' }));
      },
    });
    await gateway.flush();
    const admin = await as('admin-api');
    expect((await admin.request(s.rpcGateway('telegram', 'space-title'), JSON.stringify({ spaceId: '-100' }), { timeout: 2_000 })).json()).toEqual({ spaceId: '-100', title: 'Lab' });
    const agent = await as('agent');
    await expect(agent.request(s.rpcGateway('telegram', 'space-title'), JSON.stringify({ spaceId: '-100' }), { timeout: 1_000 })).rejects.toThrow();
    // A round trip after the refused request: had the server let it through, the responder would have it by now.
    await agent.flush();
    await gateway.flush();
    expect(asked).toHaveLength(1);
    sub.unsubscribe();
  });
});
