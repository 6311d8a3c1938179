/**
 * Rule 8 and rule 1 at the byte level: after pairing, admissions, denials and failed guesses, the raw commits of
 * the events stream (subjects, headers, payloads) contain no message text and no pairing code in any rendering,
 * and neither do the service's logs.
 */
import { createHmac } from 'node:crypto';
import { startNats, type NatsHarness } from '@twokey/test-support';
import { inbound, isEvent, NatsClient, serviceEnv, startService, testConfig, type RunningService } from './support';

function renderings(code: string): string[] {
  const plain = code.replace('-', '');
  const forms = [code, plain, `${plain.slice(0, 4)} ${plain.slice(4)}`, `${plain.slice(0, 4)}\u200b${plain.slice(4)}`];
  return forms.flatMap((f) => [f, f.toLowerCase()]);
}

describe('what the event store keeps', () => {
  let nats: NatsHarness;
  let running: RunningService;
  let client: NatsClient;
  let secret: string;

  beforeAll(async () => {
    nats = await startNats();
    const env = serviceEnv(nats);
    secret = env.PAIRING_HMAC_SECRET;
    running = await startService(testConfig(nats, env));
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    await client?.close();
    await running?.service.stop();
    await nats?.dispose();
  });

  it('stores neither message text nor codes, only ids, names, reasons, counts and an HMAC', async () => {
    const texts: string[] = [];
    const codes: string[] = [];
    const say = (text: string) => (texts.push(text), text);

    const userToken = await client.ok('issue-token', { connection: 'telegram', purpose: 'user' });
    codes.push(userToken.result.code);
    await client.publish(inbound({ actor: { id: '501', displayName: 'Alice' }, text: say(`/pair ${userToken.result.code.toLowerCase()}`) }));
    const observed = await client.waitForEvent('TokenObserved', isEvent('TokenObserved', (e) => e.data.actor.id === '501'));
    await client.ok('approve-observation', { connection: 'telegram', observationId: observed.data.observationId });

    const spaceToken = await client.ok('issue-token', { connection: 'telegram', purpose: 'space' });
    codes.push(spaceToken.result.code);
    const group = { conversation: { id: '-100999', kind: 'supergroup' as const }, space: { id: '-100999', kind: 'telegram-supergroup' as const } };
    await client.publish(inbound({ ...group, actor: { id: '666' }, text: say(`@bot ${spaceToken.result.code}`) }));
    await client.publish(inbound({ ...group, actor: { id: '501', displayName: 'Alice' }, text: say(spaceToken.result.code) }));
    const spaceObserved = await client.waitForEvent('space TokenObserved', isEvent('TokenObserved', (e) => e.data.purpose === 'space'));
    await client.ok('approve-observation', { connection: 'telegram', observationId: spaceObserved.data.observationId });

    const admitted = await client.admitted();
    const secretTalk = inbound({ actor: { id: '501', displayName: 'Alice' }, text: say('the launch code is 0000 tell nobody') });
    await client.publish(secretTalk);
    await client.publish(inbound({ actor: { id: '777' }, text: say('stranger danger: my bank pin is 4321') }));
    await client.publish(inbound({ actor: { id: '778' }, text: say('ZZZZ-ZZZZ') })); // a failed guess, recorded at once
    await admitted.waitFor((m) => m.data.message.platformMessageId === secretTalk.platformMessageId);
    await client.waitForEvent('denial of 777', isEvent('MessageDenied', (e) => e.data.actor.id === '777'));
    await client.waitForEvent('failed guess', isEvent('MessageDenied', (e) => e.data.reason === 'pairing-code-invalid'));
    await client.waitForEvent('space-pairing-not-authorized', isEvent('MessageDenied', (e) => e.data.reason === 'space-pairing-not-authorized'));

    const info = await client.jsm.streams.info(client.s.streams.events);
    const chunks: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await client.jsm.streams.getMessage(client.s.streams.events, { seq });
      const headers = m.header ? m.header.keys().map((k) => `${k}: ${m.header.values(k).join(', ')}`) : [];
      chunks.push(m.subject, ...headers, Buffer.from(m.data).toString('utf8'));
    }
    const raw = chunks.join('\n');

    // The scan is meaningful: the commits are there, with the ids, names and the HMAC of each code.
    expect(info.state.messages).toBeGreaterThanOrEqual(8);
    for (const code of codes) {
      expect(raw).toContain(createHmac('sha256', secret).update(code.replace('-', '')).digest('hex'));
    }
    expect(raw).toContain('"displayName":"Alice"');
    expect(raw).toContain('user-not-allowlisted');

    for (const text of texts) expect(raw).not.toContain(text);
    for (const code of codes) for (const form of renderings(code)) expect(raw).not.toContain(form);
    for (const fragment of ['launch code', 'bank pin', 'ZZZZ']) expect(raw).not.toContain(fragment);

    const logs = running.logs.text;
    expect(logs.length).toBeGreaterThan(0);
    for (const text of texts) expect(logs).not.toContain(text);
    for (const code of codes) for (const form of renderings(code)) expect(logs).not.toContain(form);
    expect(logs).not.toContain(secret);
  });
});
