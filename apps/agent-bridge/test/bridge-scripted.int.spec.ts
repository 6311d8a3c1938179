/**
 * The bridge on real NATS with the scripted ACP agent as a real child process: answers, the agent's environment,
 * queueing and /cancel, permission prompts answered only by the turn's user, a stale backlog, auth failures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentStatus } from '@twokey/contracts';
import { rpcRequest } from '@twokey/messaging';
import { SCRIPTED_AGENT_JS } from '@twokey/test-support/fakes/acp';
import { until } from '@twokey/test-support/gateway-harness';
import type { AcpBackend } from '../src/agent/acp-backend';
import { admitted, BridgeRig, startBridgeRig } from './bridge-rig';

describe('agent bridge with the scripted ACP agent', () => {
  let rig: BridgeRig;
  const has = (conversation: string, pred: (t: string) => boolean) => () => rig.texts(conversation).some(pred);

  beforeAll(async () => {
    rig = await startBridgeRig({
      AGENT_ENV: 'SCRIPTED_AGENT_LOG',
      SCRIPTED_AGENT_LOG: '/dev/null',
      NATS_PASSWORD: 'nats-secret-that-must-not-leak',
      PERMISSION_TIMEOUT: '2s',
      APPROVERS: 'telegram:9009',
    });
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('answers a DM in the same conversation', async () => {
    await rig.admit(admitted('hello there', { actorId: '1001' }));
    await until(has('1001', (t) => t === 'echo: hello there'));
    const send = rig.outbound.items.find((i) => i.data.conversationId === '1001')!;
    expect(send.subject).toBe(rig.s.outbound('telegram'));
    expect(send.msgId).toBe((send.data as { idempotencyKey: string }).idempotencyKey);
  });

  it('shows tool calls as short progress lines above the answer (TOOL_UPDATES=summary)', async () => {
    await rig.admit(admitted('tool list', { actorId: '1009' }));
    await until(has('1009', (t) => t === '✓ ls -la\n\necho: tool list'));
  });

  it('starts the agent with only the allowlisted environment: no NATS credentials, no Twokey secrets', async () => {
    const backend = rig.bridge.parts!.backend as AcpBackend;
    const pid = await backend.pidOf([process.execPath, SCRIPTED_AGENT_JS]);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    const names = environ.map((e) => e.slice(0, e.indexOf('=')));
    expect(names).toContain('SCRIPTED_AGENT_LOG');
    expect(names.filter((n) => n.startsWith('NATS_') || n.startsWith('TWOKEY_'))).toEqual([]);
    expect(environ.join('\n')).not.toContain('nats-secret-that-must-not-leak');
  });

  it('queues messages sent during a turn and runs them next, in order; /cancel stops a turn', async () => {
    await rig.admit(admitted('slow 1500 first', { actorId: '1002' }));
    await until(() => rig.bridge.parts!.bridge!.snapshot().runningTurns > 0);
    for (const t of ['two', 'three', 'four']) await rig.admit(admitted(t, { actorId: '1002' }));
    await until(has('1002', (t) => t.includes('done: slow 1500 first')));
    await until(has('1002', (t) => t === 'echo: two\n\nthree\n\nfour'));
    await until(() => rig.bridge.parts!.bridge!.snapshot().runningTurns === 0);
    await rig.admit(admitted('slow 30000 long one', { actorId: '1002' }));
    await until(() => rig.bridge.parts!.bridge!.snapshot().runningTurns > 0);
    await rig.admit(admitted('/cancel', { actorId: '1002' }));
    // Either the prompt was already with the agent (session/cancel) or not yet sent: both end the turn at once.
    await until(has('1002', (t) => t.includes('(cancelled)') || t === 'Cancelled before the agent started.'), 5_000);
    expect(rig.texts('1002')).toContain('Cancelling the running turn.');
  });

  it('asks permission in chat; a bystander cannot answer, the turn\'s user can', async () => {
    const group = { conversationId: 'g-perm', kind: 'group' as const, mentioned: true };
    await rig.admit(admitted('permission please', { ...group, actorId: '1003' }));
    await until(has('g-perm', (t) => t.startsWith('The agent asks for permission: touch approved.txt')));
    const prompt = rig.texts('g-perm').find((t) => t.startsWith('The agent asks'))!;
    expect(prompt).toContain('1. allow: Yes, once');
    expect(prompt).toContain('3. reject: No');
    await rig.admit(admitted('allow', { ...group, actorId: '5555', mentioned: false }));
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.bridge.parts!.bridge!.snapshot().runningTurns).toBe(1);
    await rig.admit(admitted('2', { ...group, actorId: '1003', mentioned: false }));
    await until(has('g-perm', (t) => t === 'permission: allow-always'));
  });

  it('rejects an unanswered permission prompt after PERMISSION_TIMEOUT', async () => {
    await rig.admit(admitted('permission again', { actorId: '1004' }));
    await until(has('1004', (t) => t === 'permission: reject'), 8_000);
    expect(rig.texts('1004')).toContain('No answer in time: the agent was told no.');
  });

  it('does not run a stale backlog of 50 messages; each user is told once, and a fresh message still works', async () => {
    const old = new Date(Date.now() - 20 * 60_000);
    const users = ['2001', '2002', '2003', '2004', '2005'];
    for (let i = 0; i < 50; i++) await rig.admit(admitted(`old ${i}`, { actorId: users[i % 5], admittedAt: old }));
    await until(() => rig.bridge.parts!.bridge!.snapshot().queueDepth === 0 && users.every((u) => rig.texts(u).length === 1));
    await rig.admit(admitted('fresh one', { actorId: '2001' }));
    await until(has('2001', (t) => t === 'echo: fresh one'));
    for (const u of users) expect(rig.texts(u).filter((t) => t.startsWith('Messages sent while the agent was offline'))).toHaveLength(1);
    expect(rig.texts('2002')).toHaveLength(1);
    const metrics = await (await fetch(`http://127.0.0.1:${rig.bridge.port}/metrics`)).text();
    expect(metrics).toMatch(/twokey_agent_stale_messages_total 50/);
  });

  it('tells the user when the agent crashes mid-turn, restarts it, and the next message works', async () => {
    await rig.admit(admitted('crash now', { actorId: '3001' }));
    await until(has('3001', (t) => t.startsWith('The agent stopped unexpectedly during this turn')));
    await rig.admit(admitted('still there?', { actorId: '3001' }));
    await until(has('3001', (t) => t === 'echo: still there?'));
    const metrics = await (await fetch(`http://127.0.0.1:${rig.bridge.port}/metrics`)).text();
    expect(metrics).toMatch(/twokey_agent_process_crashes_total 1/);
  });

  it('does not answer an unaddressed message in a shared conversation', async () => {
    await rig.admit(admitted('just chatting', { conversationId: 'g-quiet', kind: 'group', actorId: '1005', mentioned: false }));
    await rig.admit(admitted('hey bot', { conversationId: 'g-quiet', kind: 'group', actorId: '1005', mentioned: true }));
    await until(has('g-quiet', (t) => t === 'echo: hey bot'));
    expect(rig.texts('g-quiet')).toEqual(['echo: hey bot']);
  });
});

describe('agent bridge with an agent that needs authentication', () => {
  let rig: BridgeRig;
  beforeAll(async () => {
    rig = await startBridgeRig({ AGENT_ENV: 'SCRIPTED_AGENT_AUTH', SCRIPTED_AGENT_AUTH: 'required' });
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('says so to the user and in the status (auth required)', async () => {
    await rig.admit(admitted('hello?', { actorId: '6001' }));
    await until(() => rig.texts('6001').some((t) => t.startsWith('The agent needs authentication')));
    const status = await rpcRequest(rig.nc, rig.s.rpcAgent('status'), {}, AgentStatus);
    expect(status).toMatchObject({ mode: 'acp', auth: 'required', agent: { name: 'scripted-agent', version: '1.0.0' }, lastError: { kind: 'auth-required' } });
  });
});

describe('agent bridge with a bindings file', () => {
  let rig: BridgeRig;
  const bound = mkdtempSync(path.join(tmpdir(), 'twokey-bound-'));
  beforeAll(async () => {
    const file = path.join(bound, 'bindings.json');
    writeFileSync(file, JSON.stringify({ bindings: [{ connection: 'telegram', conversation: 'bound-chat', cwd: bound }] }));
    rig = await startBridgeRig({ AGENT_BINDINGS_FILE: file });
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('runs a bound conversation in its directory; /status says so, /new starts a fresh session', async () => {
    await rig.admit(admitted('hi', { actorId: 'bound-chat' }));
    await until(() => rig.texts('bound-chat').includes('echo: hi'));
    await rig.admit(admitted('/status', { actorId: 'bound-chat' }));
    await until(() => rig.texts('bound-chat').some((t) => t.startsWith('Agent: Scripted agent 1.0.0')));
    const status = rig.texts('bound-chat').find((t) => t.startsWith('Agent:'))!;
    expect(status).toContain(`Working directory: ${bound}`);
    expect(status).toMatch(/Session: s-\d+-1/);
    expect(status).toContain('Mode: scripted');
    await rig.admit(admitted('/new', { actorId: 'bound-chat' }));
    await until(() => rig.texts('bound-chat').includes('The next message starts a new agent session.'));
    await rig.admit(admitted('/status', { actorId: 'bound-chat' }));
    await until(() => rig.texts('bound-chat').filter((t) => t.startsWith('Agent:')).length === 2);
    expect(rig.texts('bound-chat').filter((t) => t.startsWith('Agent:'))[1]).toContain('Session: none yet');
    await rig.admit(admitted('/status', { actorId: 'elsewhere' }));
    await until(() => rig.texts('elsewhere').some((t) => t.startsWith('Agent:')));
    expect(rig.texts('elsewhere')[0]).toContain(`Working directory: ${rig.workdir}`);
  });
});
