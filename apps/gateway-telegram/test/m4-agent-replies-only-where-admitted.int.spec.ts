/**
 * M4 (security review): the agent could message anyone the bot can reach. Now every outbound command needs the
 * reply capability the pairing-service put on the admitted message it answers, so the agent's NATS user, publishing
 * whatever it likes on `<prefix>.outbound.<connection>`, reaches a denied stranger with nothing.
 *
 * Everything under the deployment's least-privilege NATS users (deploy/nats/permissions.json), streams, consumers
 * and the sent-message bucket made by the provisioner: the real pairing-service and gateway-telegram (grammY
 * against the fake Bot API) in process, the agent as a bare NATS client.
 */
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { AdmittedMessage, DeliveryReport, PairingReplySchema, subjects, type ReplyCapability } from '@twokey/contracts';
import { createGateway, gatewayConfig, type Gateway } from '@twokey/gateway-kit';
import { connectNats, RpcProof, rpcRequest } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { startNats, type NatsHarness } from '@twokey/test-support';
import { FakeTelegram, messageUpdate, privateChat, telegramUser } from '@twokey/test-support/fakes/telegram';
import { settle, until } from '@twokey/test-support/gateway-harness';
import { collectStream, type Collected, type StoredMessage } from '@twokey/test-support/stream-collector';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the users and provisioner exactly as deployed
import { generatePassword, natsUsers, passwordEnvVar, renderAuthorization } from '../../../deploy/nats/nats-auth';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the users and provisioner exactly as deployed
import { provision } from '../../../deploy/nats/provision';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { loadPairingConfig } from '../../pairing-service/src/config';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService, type PairingService } from '../../pairing-service/src/pairing-service';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the compiled provisioner needs dist/
import { buildDist } from '../../pairing-service/test/service-process';
import { TelegramAdapter } from '../src/telegram-adapter';

const PREFIX = `m4${randomBytes(3).toString('hex')}`;
const s = subjects(PREFIX);
const TOKEN = '7000000001:AAm4-test-token_0123456789abcdefgh';
const REPLY_KEY = randomBytes(32).toString('base64url');
/** The admin-api's proof key (L2): only it and the pairing-service hold it. */
const RPC_KEY = randomBytes(32).toString('base64url');
const alice = telegramUser(1111111, 'Alice');
const mallory = telegramUser(6666666, 'Mallory');
const quiet = new JsonLogger('m4', 'error', { write: () => undefined });

/** A test-only observer: reads the delivered stream (no deployed user but the bridge may). */
const OBSERVER = {
  name: 'm4-observer',
  why: 'test only: reads DeliveryReports',
  permissions: { publish: { allow: ['$JS.API.>'] }, subscribe: { allow: ['>'] } },
};

describe('M4: the agent can answer where a message was admitted, and nowhere else', () => {
  let nats: NatsHarness;
  let fake: FakeTelegram;
  let pairing: PairingService;
  let gateway: Gateway;
  let agent: NatsConnection;
  let observer: NatsConnection;
  let delivered: Collected<StoredMessage<DeliveryReport>>;
  const passwords: Record<string, string> = {};

  const as = (user: string) => connectNats({ url: nats.url, user, password: passwords[user], name: `m4-${user}` });

  /** The agent's next admitted message, read as the bridge does (pull consumer `agent`). */
  const nextAdmitted = async (): Promise<AdmittedMessage> => {
    const consumer = await agent.jetstream().consumers.get(s.streams.admitted, 'agent');
    const m = await consumer.next({ expires: 10_000 });
    if (!m) throw new Error('no admitted message');
    m.ack();
    return m.json<AdmittedMessage>();
  };

  /** What the agent user may publish: any command, any target, any capability it can get hold of. */
  const agentSends = async (conversationId: string, text: string, replyCapability?: ReplyCapability) => {
    const idempotencyKey = `agent-${randomBytes(4).toString('hex')}`;
    const cmd = { schemaVersion: 2, connection: 'telegram', idempotencyKey, conversationId, text, replyCapability };
    await agent.jetstream().publish(s.outbound('telegram'), JSON.stringify(cmd), { msgID: idempotencyKey });
    return (await delivered.waitFor((r) => r.data.idempotencyKey === idempotencyKey, 15_000)).data;
  };

  const callsTo = (chatId: number) => fake.userFacingCalls().filter((c) => String((c.body as { chat_id?: unknown }).chat_id) === String(chatId));

  beforeAll(async () => {
    buildDist();
    const users = natsUsers({ prefix: PREFIX, connections: ['telegram'] });
    const env: Record<string, string> = {};
    for (const u of [...users, OBSERVER]) env[passwordEnvVar(u.name)] = passwords[u.name] = generatePassword();
    nats = await startNats({ spawn: true, config: renderAuthorization([...users, OBSERVER]), env });
    await provision({ url: nats.url, user: 'provisioner', password: passwords.provisioner, prefix: PREFIX, replicas: 1, connections: ['telegram'], timeoutMs: 10_000 });
    fake = await FakeTelegram.start({ token: TOKEN });
    pairing = createPairingService(
      loadPairingConfig({
        NATS_URL: nats.url,
        NATS_USER: 'pairing-service',
        NATS_PASSWORD: passwords['pairing-service'],
        TWOKEY_SUBJECT_PREFIX: PREFIX,
        ENSURE_STREAMS: 'false',
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        PAIRING_HMAC_SECRET: randomBytes(24).toString('hex'),
        RPC_AUTH_SECRET: RPC_KEY,
        REPLY_CAPABILITY_SECRET: REPLY_KEY,
        DENIAL_WINDOW_SECONDS: '1',
        ACK_WAIT_SECONDS: '5',
        LOG_LEVEL: 'error',
      }),
      { logger: quiet, onFatal: () => undefined },
    );
    await pairing.start();
    gateway = createGateway({
      adapter: new TelegramAdapter({ connection: 'telegram', token: TOKEN, apiRoot: fake.url, mode: 'polling', logger: quiet, pollingTimeoutSeconds: 2 }),
      config: gatewayConfig('telegram', {
        prefix: PREFIX,
        nats: { url: nats.url, user: 'gateway-telegram', password: passwords['gateway-telegram'] },
        http: { port: 0, host: '127.0.0.1' },
        streams: { ensure: false, replicas: 1 },
        replyCapability: { secret: REPLY_KEY },
      }),
      logger: quiet,
    });
    await gateway.start();
    agent = await as('agent');
    observer = await as(OBSERVER.name);
    delivered = await collectStream<DeliveryReport>(observer, s.streams.delivered, s.delivered('telegram'));
    const admin = await as('admin-api');
    const added = await rpcRequest(
      admin,
      s.rpcPairing('add-user'),
      { connection: 'telegram', initiator: { type: 'admin', id: 'admin-1', name: 'Admin' }, correlationId: 'm4-add', user: { id: String(alice.id), displayName: 'Alice' } },
      PairingReplySchema('add-user'),
      5_000,
      new RpcProof(RPC_KEY),
    );
    expect(added.ok).toBe(true);
    await admin.close();
  }, 60_000);
  afterAll(async () => {
    await delivered?.stop();
    await agent?.close();
    await observer?.close();
    await gateway?.stop();
    await pairing?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  it('M4: a denied stranger receives nothing, whatever the agent user publishes to them', async () => {
    fake.pushUpdate(messageUpdate({ from: alice, chat: privateChat(alice), text: 'hello agent', messageId: 1 }));
    const admitted = await nextAdmitted();
    expect(admitted.message.conversation.id).toBe(String(alice.id));
    const aliceCap = admitted.replyCapability!;
    expect(aliceCap).toMatchObject({ conversationId: String(alice.id) });

    fake.pushUpdate(messageUpdate({ from: mallory, chat: privateChat(mallory), text: 'let me in', messageId: 2 }));
    await until(() => fake.unconfirmed().length === 0);
    await settle(300);

    // Everything the agent can try: no capability, Alice's capability on Mallory's chat, a forged MAC, Alice's
    // capability relabelled for Mallory, one that never expires.
    const attempts = [
      await agentSends(String(mallory.id), 'psst (no capability)'),
      await agentSends(String(mallory.id), 'psst (copied capability)', aliceCap),
      await agentSends(String(mallory.id), 'psst (forged)', { ...aliceCap, conversationId: String(mallory.id), mac: 'A'.repeat(43) }),
      await agentSends(String(mallory.id), 'psst (relabelled)', { ...aliceCap, conversationId: String(mallory.id) }),
      await agentSends(String(mallory.id), 'psst (no expiry)', { ...aliceCap, conversationId: String(mallory.id), expiresAt: '2999-01-01T00:00:00.000Z' }),
    ];
    for (const r of attempts) expect(r).toMatchObject({ status: 'failed', failure: 'capability-invalid', platformMessageIds: [] });
    expect(callsTo(mallory.id)).toEqual([]);

    // The same agent, with the capability it was given, answers Alice (least-privilege gateway: KV + delivered).
    const ok = await agentSends(String(alice.id), 'Hello **Alice**', aliceCap);
    expect(ok).toMatchObject({ status: 'delivered' });
    expect(fake.messages.get(ok.platformMessageIds[0])).toMatchObject({ chatId: String(alice.id), text: 'Hello Alice' });
    expect(callsTo(mallory.id)).toEqual([]);
  }, 60_000);

  it('M4: the agent user cannot write the delivered reports or the sent-message bucket itself', async () => {
    const forged = { schemaVersion: 1, connection: 'telegram', idempotencyKey: 'x', command: 'send-message', status: 'delivered', platformMessageIds: [], at: new Date().toISOString() };
    await expect(agent.jetstream().publish(s.delivered('telegram'), JSON.stringify(forged), { timeout: 2_000 })).rejects.toThrow();
    await expect(agent.jetstream().publish(`$KV.${PREFIX}-replies-telegram.x`, '{}', { timeout: 2_000 })).rejects.toThrow();
  });
});
