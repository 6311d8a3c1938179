/**
 * Secrets and codes never reach a log. The whole pairing flow runs through real processes — nats-server with a
 * password, the pairing-service, the admin-api and gateway-telegram against the fake Telegram — with a recognizable
 * canary for every secret (NATS password, HMAC secret, admin token, session secret, bot token) and canary message
 * texts. Every line the services write (stdout and stderr, at debug level) is captured and searched for the
 * canaries, for the pairing code in every spelling, and for the message texts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { NatsConnection } from 'nats';
import type { AdmittedMessage } from '@twokey/contracts';
import { subjects as subjectsOf } from '@twokey/contracts';
import { connectNats } from '@twokey/messaging';
import { freePort, startNats, type NatsHarness } from '@twokey/test-support';
import { FakeTelegram, messageUpdate, privateChat, telegramUser } from '@twokey/test-support/fakes/telegram';
import { buildDist } from './service-process';
import { until } from './support';

const CANARY = {
  natsPassword: 'CANARYnatsPASSWORD7f3e91aa',
  hmacSecret: 'CANARYhmacSECRET0c6b2d55e81f4a9387b1',
  replySecret: 'CANARYreplySECRET4f1a0c9d2e7b6a5830',
  adminToken: 'CANARYadminTOKEN5d2c8e0b71f64a93',
  sessionSecret: 'CANARYsessionSECRET93e0a7c4b12d8f55',
  rpcAuthSecret: 'CANARYrpcAuthSECRET4b7e1d09c3a2f668',
  botToken: '7000000009:CANARYbotTOKEN_e4b1c9a27d5f',
};
const TEXT = { hello: 'CANARYtextHELLO bring me the quarterly numbers', stranger: 'CANARYtextSTRANGER open the pod bay doors' };
const ROOT = path.resolve(__dirname, '../../..');

interface Proc {
  name: string;
  child: ChildProcess;
  output: string;
}

describe('abuse: secrets and codes never appear in logs', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  let fake: FakeTelegram;
  const procs: Proc[] = [];

  function start(name: string, app: string, env: Record<string, string>): Proc {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps', app, 'src/main.js')], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p: Proc = { name, child, output: '' };
    child.stdout?.on('data', (b: Buffer) => (p.output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (p.output += b.toString()));
    procs.push(p);
    return p;
  }

  const ready = (p: Proc, port: number) =>
    until(`${p.name} ready`, async () => {
      if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}:\n${p.output}`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false)) || undefined;
    }, 20_000);

  beforeAll(async () => {
    buildDist();
    nats = await startNats({
      spawn: true,
      config: 'authorization { users = [ { user: "twokey", password: $TWOKEY_NATS_PASSWORD } ] }',
      env: { TWOKEY_NATS_PASSWORD: CANARY.natsPassword },
    });
    nc = await connectNats({ url: nats.url, user: 'twokey', password: CANARY.natsPassword, name: 'secrets-test' });
    fake = await FakeTelegram.start({ token: CANARY.botToken });
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await fake?.close();
    await nc?.close();
    await nats?.dispose();
  });

  it('runs the pairing flow with canaries and finds none of them, nor the code, nor the texts, in any log line', async () => {
    const common = { NATS_URL: nats.url, NATS_USER: 'twokey', NATS_PASSWORD: CANARY.natsPassword, TWOKEY_SUBJECT_PREFIX: nats.prefix, HTTP_HOST: '127.0.0.1' };
    const ports = { pairing: await freePort(), admin: await freePort(), gateway: await freePort() };
    const pairing = start('pairing-service', 'pairing-service', { ...common, HTTP_PORT: String(ports.pairing), PAIRING_HMAC_SECRET: CANARY.hmacSecret, RPC_AUTH_SECRET: CANARY.rpcAuthSecret, REPLY_CAPABILITY_SECRET: CANARY.replySecret, DENIAL_WINDOW_SECONDS: '1', ACK_WAIT_SECONDS: '5' });
    const admin = start('admin-api', 'admin-api', {
      ...common,
      HTTP_PORT: String(ports.admin),
      ADMIN_TOKEN_HASHES: `ada:${createHash('sha256').update(CANARY.adminToken).digest('hex')}`,
      SESSION_SECRET: CANARY.sessionSecret,
      RPC_AUTH_SECRET: CANARY.rpcAuthSecret,
      CONNECTIONS: 'telegram',
    });
    const gateway = start('gateway-telegram', 'gateway-telegram', { ...common, HTTP_PORT: String(ports.gateway), TELEGRAM_BOT_TOKEN: CANARY.botToken, TELEGRAM_API_ROOT: fake.url, REPLY_CAPABILITY_SECRET: CANARY.replySecret });
    await Promise.all([ready(pairing, ports.pairing), ready(admin, ports.admin), ready(gateway, ports.gateway)]);

    const api = `http://127.0.0.1:${ports.admin}/api/v1`;
    const call = (method: string, route: string, body?: unknown, token = CANARY.adminToken) =>
      fetch(`${api}${route}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

    // Failed logins, with something close to the real token: rejected, and the attempt must not echo it.
    expect((await call('GET', '/connections', undefined, `${CANARY.adminToken}x`)).status).toBe(401);
    expect((await fetch(`${api}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: `${CANARY.adminToken}y` }) })).status).toBe(401);
    expect((await fetch(`${api}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: CANARY.adminToken }) })).status).toBe(200);
    expect((await call('POST', '/connections/telegram/connection-test')).status).toBe(200);

    const issued = await call('POST', '/connections/telegram/pairing-tokens', { purpose: 'user' });
    expect(issued.status).toBe(201);
    const { code } = (await issued.json()) as { code: string };

    const s = subjectsOf(nats.prefix);
    const admitted: AdmittedMessage[] = [];
    const sub = nc.subscribe(s.admitted('telegram'), { callback: (_e, m) => void admitted.push(m.json<AdmittedMessage>()) });
    const alice = telegramUser(4242001, 'Alice');
    const mallory = telegramUser(6666001, 'Mallory');
    fake.pushUpdate(messageUpdate({ from: alice, chat: privateChat(alice), text: `/start ${code.toLowerCase()}` }));
    const observationId = await until('the observation', async () => {
      const pairingRow = (await (await call('GET', '/connections/telegram/pairing')).json()) as { observations: { observationId: string; actor: { id: string } }[] };
      return pairingRow.observations.find((o) => o.actor.id === String(alice.id))?.observationId;
    }, 20_000);
    expect((await call('POST', `/connections/telegram/observations/${observationId}/approve`)).status).toBe(200);

    fake.pushUpdate(messageUpdate({ from: alice, chat: privateChat(alice), text: TEXT.hello }));
    // A stranger replays the used code and tries a guess and a plain message: all denied.
    fake.pushUpdate(messageUpdate({ from: mallory, chat: privateChat(mallory), text: code }));
    fake.pushUpdate(messageUpdate({ from: mallory, chat: privateChat(mallory), text: TEXT.stranger }));
    await until('alice admitted', () => admitted.find((m) => m.message.text === TEXT.hello), 20_000);
    await until('the stranger denied', async () => {
      const activity = (await (await call('GET', '/activity?connection=telegram')).json()) as { items: { actorId: string; reason: string }[] };
      return activity.items.filter((i) => i.actorId === String(mallory.id)).length >= 2 || undefined;
    }, 20_000);
    sub.unsubscribe();
    expect(admitted.map((m) => m.message.actor.id)).toEqual([String(alice.id)]);

    // Graceful stops write their shutdown lines too.
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.child.exitCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)))));

    const compact = code.replace(/[^0-9A-Z]/gi, '');
    const needles: Record<string, string> = {
      ...CANARY,
      'bot token secret part': CANARY.botToken.split(':')[1],
      'code as issued': code,
      'code compact': compact,
      'code lowercase': code.toLowerCase(),
      'code compact lowercase': compact.toLowerCase(),
      ...Object.fromEntries(Object.entries(TEXT).map(([k, v]) => [`text ${k}`, v.split(' ')[0]])),
    };
    for (const p of procs) {
      // The capture works: every service logged its start, at debug level, so silence cannot pass for safety.
      expect(p.output.split('\n').filter(Boolean).length).toBeGreaterThan(5);
      const lines = p.output.split('\n');
      for (const [what, needle] of Object.entries(needles)) {
        const leaks = lines.filter((l) => l.toLowerCase().includes(needle.toLowerCase()));
        expect({ service: p.name, secret: what, leaks }).toEqual({ service: p.name, secret: what, leaks: [] });
      }
    }
  }, 120_000);
});
