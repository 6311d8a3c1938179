/**
 * Fault injection with replicas, all real child processes: two pairing-services share the durable consumer (every
 * message must get exactly one decision between them), and two admin-apis receive the same approval at the same
 * moment (exactly one UserApproved; one caller gets 200, the other 409).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { freePort, startNats, type NatsHarness } from '@twokey/test-support';
import type { InboundMessage } from '@twokey/contracts';
import { buildDist, ServiceProcess } from './service-process';
import { inbound, isEvent, NatsClient, serviceEnv, TEST_RPC_AUTH_SECRET, until } from './support';

const TOTAL = 10_000;
const ALLOWED = Array.from({ length: 10 }, (_, i) => `3${i}`);
const STRANGERS = Array.from({ length: 10 }, (_, i) => `8${i}`);
const ADMIN_TOKEN = 'replica-test-admin-token-0123456789abcdef';
const ADMIN_JS = path.resolve(__dirname, '../../../dist/apps/admin-api/src/main.js');

/** `node dist/apps/admin-api/src/main.js` on a free port, ready once /readyz answers 200. */
async function startAdminApi(nats: NatsHarness): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    NATS_URL: nats.url,
    TWOKEY_SUBJECT_PREFIX: nats.prefix,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    ADMIN_TOKEN_HASHES: `admin:${createHash('sha256').update(ADMIN_TOKEN).digest('hex')}`,
    SESSION_SECRET: 'replica-test-session-secret-0123456789abcdef',
    RPC_AUTH_SECRET: TEST_RPC_AUTH_SECRET,
    CONNECTIONS: 'telegram',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [ADMIN_JS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  await until(`admin-api ready:\n${output}`, async () => {
    if (child.exitCode !== null) throw new Error(`admin-api exited ${child.exitCode}:\n${output}`);
    return (await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false)) || undefined;
  }, 20_000);
  return { url, child, output: () => output };
}

const call = (url: string, method: string, body?: unknown) =>
  fetch(url, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('fault: replicas', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  const services: ServiceProcess[] = [];
  const admins: ChildProcess[] = [];

  beforeAll(async () => {
    buildDist();
    nats = await startNats();
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    for (const a of admins) a.kill('SIGKILL');
    for (const s of services) await s.signal('SIGKILL');
    await client?.close();
    await nats?.dispose();
  });

  const decisions = async (s: ServiceProcess) => {
    const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    return [...text.matchAll(/^twokey_pairing_decisions_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  };

  it('two pairing-service processes on one consumer decide every message exactly once', async () => {
    // One deployment: the replicas share every setting, the HMAC secret included (a code issued by one must match
    // on the other).
    const shared = serviceEnv(nats, { DENIAL_WINDOW_SECONDS: '1', ACK_WAIT_SECONDS: '10', LOG_LEVEL: 'warn' });
    for (let i = 0; i < 2; i++) services.push(await ServiceProcess.start({ ...shared, HTTP_PORT: String(await freePort()) }));
    for (const id of ALLOWED) await client.ok('add-user', { connection: 'telegram', user: { id, displayName: `User ${id}` } });

    const messages: InboundMessage[] = Array.from({ length: TOTAL }, (_, i) => {
      const denied = i % 10 === 9;
      return inbound({ id: `r${i}`, actor: { id: denied ? STRANGERS[i % 10] : ALLOWED[i % 10] }, text: `message ${i}` });
    });
    const deniedSequences: number[] = [];
    for (let i = 0; i < TOTAL; i += 500) {
      const batch = messages.slice(i, i + 500);
      const seqs = await Promise.all(batch.map((m) => client.publish(m)));
      batch.forEach((m, k) => STRANGERS.includes(m.actor.id) && deniedSequences.push(seqs[k]));
    }
    const admittedIds = new Set(messages.filter((m) => ALLOWED.includes(m.actor.id)).map((m) => `telegram:${m.platformMessageId}`));

    await until('all acked', async () => {
      const c = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return (c.num_pending === 0 && c.num_ack_pending === 0) || undefined;
    }, 90_000);
    const admitted = await client.admitted();
    await admitted.waitForCount(admittedIds.size, 30_000);
    expect((await client.jsm.streams.info(client.s.streams.admitted)).state.messages).toBe(admittedIds.size);
    expect(new Set(admitted.items.map((m) => m.msgId))).toEqual(admittedIds);

    const denials = (await client.events()).filter(isEvent('MessageDenied'));
    const counted = denials.flatMap((e) => e.data.inboundSequences ?? []);
    expect(denials.reduce((n, e) => n + e.data.count, 0)).toBe(deniedSequences.length);
    expect(counted).toHaveLength(deniedSequences.length);
    expect(new Set(counted)).toEqual(new Set(deniedSequences));

    // Both replicas took part, and their decisions add up to one per message.
    const [a, b] = await Promise.all(services.map(decisions));
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a + b).toBe(TOTAL);
  }, 180_000);

  it('two admin-api processes approving the same observation at once: one UserApproved, one 409', async () => {
    const [one, two] = [await startAdminApi(nats), await startAdminApi(nats)];
    admins.push(one.child, two.child);
    for (let round = 0; round < 5; round++) {
      const issued = await call(`${one.url}/api/v1/connections/telegram/pairing-tokens`, 'POST', { purpose: 'user' });
      expect(issued.status).toBe(201);
      const { code } = (await issued.json()) as { code: string };
      const userId = `77${round}`;
      await client.publish(inbound({ actor: { id: userId }, text: code }));
      const observationId = await until('the observation in both admin-apis', async () => {
        const seen = await Promise.all(
          [one, two].map(async (a) => {
            const pairing = (await (await call(`${a.url}/api/v1/connections/telegram/pairing`, 'GET')).json()) as { observations: { observationId: string; actor: { id: string } }[] };
            return pairing.observations.find((o) => o.actor.id === userId)?.observationId;
          }),
        );
        return seen[0] !== undefined && seen[0] === seen[1] ? seen[0] : undefined;
      }, 20_000);

      const approve = (a: { url: string }) => call(`${a.url}/api/v1/connections/telegram/observations/${observationId}/approve`, 'POST');
      const results = await Promise.all([approve(one), approve(two)]);
      const statuses = results.map((r) => r.status).sort();
      const bodies = await Promise.all(results.map((r) => r.json() as Promise<{ type?: string }>));
      expect(statuses).toEqual([200, 409]);
      expect(bodies.find((b) => b.type !== undefined)).toMatchObject({ type: 'https://twokey.dev/problems/conflict' });

      const approvals = (await client.events()).filter(isEvent('UserApproved', (e) => e.data.observationId === observationId));
      expect(approvals).toHaveLength(1);
      expect(approvals[0].data.user.id).toBe(userId);
    }
  }, 120_000);
});
