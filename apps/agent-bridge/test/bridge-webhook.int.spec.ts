/**
 * Webhook mode: the bridge POSTs each turn, signed, to a small plain-Node agent (docs/examples/webhook-agent.mjs,
 * run as its own process) that verifies the signature and streams NDJSON chunks back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@twokey/test-support';
import { until } from '@twokey/test-support/gateway-harness';
import { admitted, BridgeRig, startBridgeRig } from './bridge-rig';

const SECRET = 'webhook-secret-for-the-test-0123456789';
const AGENT = path.resolve(__dirname, '../../../docs/examples/webhook-agent.mjs');

describe('agent bridge in webhook mode', () => {
  let rig: BridgeRig;
  let agent: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/turn`;
    agent = spawn(process.execPath, [AGENT], { env: { PATH: process.env.PATH, AGENT_WEBHOOK_SECRET: SECRET, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => agent.stdout!.once('data', () => resolve()));
    rig = await startBridgeRig({ AGENT_COMMAND: '', AGENT_WEBHOOK_URL: url, AGENT_WEBHOOK_SECRET: SECRET });
  });
  afterAll(async () => {
    await rig?.stop();
    agent?.kill();
  });

  it('answers through the signed webhook, chunks joined into one reply', async () => {
    await rig.admit(admitted('hello webhook', { actorId: '4001' }));
    await until(() => rig.texts('4001').includes('You said: hello webhook'));
  });

  it('the example agent refuses unsigned, wrongly signed and replayed requests', async () => {
    const body = JSON.stringify({ text: 'x' });
    expect((await fetch(url, { method: 'POST', body })).status).toBe(401);
    const ts = String(Math.floor(Date.now() / 1000));
    expect((await fetch(url, { method: 'POST', body, headers: { 'x-twokey-request-timestamp': ts, 'x-twokey-signature': `v0=${'0'.repeat(64)}` } })).status).toBe(401);
    const { webhookSignature } = await import('../src/agent/webhook-signature');
    const headers = { 'x-twokey-request-timestamp': ts, 'x-twokey-signature': webhookSignature(SECRET, Number(ts), body) };
    expect((await fetch(url, { method: 'POST', body, headers })).status).toBe(200);
    expect((await fetch(url, { method: 'POST', body, headers })).status).toBe(401);
  });
});
