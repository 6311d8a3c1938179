import { AdmittedMessage } from '@twokey/contracts';
import { PassThrough } from 'node:stream';
import { collectCore } from '@twokey/test-support/stream-collector';
import { runCli } from '../src/cli/run';
import { ADMIN_ID, ADMIN_TOKEN, eventually, Stack, startStack } from './stack';

interface Observation { observationId: string; actor: { id: string; displayName: string }; conversation: { id: string } }
interface Pairing { tokens: { tokenId: string }[]; observations: Observation[] }
interface User { id: string; displayName: string; approvedBy: string; how: string }
interface AttentionItem { actorId: string; conversationId: string; displayName: string; reason: string; count: number }

describe('admin-api against real NATS and the pairing-service', () => {
  let s: Stack;
  const codes: string[] = [];

  beforeAll(async () => {
    s = await startStack();
    await eventually(async () => ((await s.call('GET', '/readyz', { auth: false })).status === 200 ? true : undefined), 10_000, 'readiness');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('pairs a user: code → DM → observation with the display name → approve → listed at once with the admin', async () => {
    const issued = await s.json<{ tokenId: string; code: string; expiresAt: string; position: number }>('POST', '/api/v1/connections/telegram/pairing-tokens', { purpose: 'user' });
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ tokenId: expect.any(String), code: expect.any(String), expiresAt: expect.any(String), position: expect.any(Number) });
    // §6: commands answer with the position they produced, in the body and in the header alike.
    expect(issued.body.position).toBeGreaterThan(0);
    expect(issued.res.headers.get('x-twokey-position')).toBe(String(issued.body.position));
    expect(s.api.projection.position()).toBeGreaterThanOrEqual(issued.body.position);
    expect(issued.res.headers.get('cache-control')).toBe('no-store');
    codes.push(issued.body.code);

    const pending = await s.json<Pairing>('GET', '/api/v1/connections/telegram/pairing');
    expect(pending.body.tokens.map((t) => t.tokenId)).toContain(issued.body.tokenId);
    expect(JSON.stringify(pending.body)).not.toContain(issued.body.code);

    await s.inbound({
      actor: { id: '4242', displayName: 'Ada Lovelace', username: 'ada' },
      conversation: { id: '4242', kind: 'dm' },
      text: `/start ${issued.body.code}`,
    });
    const observation = await eventually(async () => {
      const r = await s.json<Pairing>('GET', '/api/v1/connections/telegram/pairing');
      return r.body.observations.find((o) => o.actor.id === '4242');
    }, 8000, 'the observation');
    expect(observation).toMatchObject({ actor: { id: '4242', displayName: 'Ada Lovelace' }, conversation: { id: '4242', kind: 'dm' } });

    const approved = await s.json('POST', `/api/v1/connections/telegram/observations/${observation.observationId}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ observationId: observation.observationId, approved: 'user', subjectId: '4242' });

    // Read-your-writes: the very next read lists the user, with the approving admin recorded.
    const users = await s.json<{ items: User[] }>('GET', '/api/v1/connections/telegram/users');
    expect(users.body.items).toEqual([expect.objectContaining({ id: '4242', displayName: 'Ada Lovelace', approvedBy: ADMIN_ID, how: 'pairing' })]);
    const after = await s.json<Pairing>('GET', '/api/v1/connections/telegram/pairing');
    expect(after.body.observations).toEqual([]);

    const again = await s.json<{ type: string; status: number }>('POST', `/api/v1/connections/telegram/observations/${observation.observationId}/approve`);
    expect(again.status).toBe(409);
    expect(again.res.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body).toMatchObject({ type: 'https://twokey.dev/problems/conflict', status: 409 });

    // The other connection knows nothing of it.
    expect((await s.json<{ items: User[] }>('GET', '/api/v1/connections/discord/users')).body.items).toEqual([]);
  });

  it('Attention shows pairing-code-used for a stranger reusing a consumed code (not "expired")', async () => {
    expect(codes).toHaveLength(1);
    await s.inbound({ actor: { id: '8383', displayName: 'Copycat' }, conversation: { id: '8383', kind: 'dm' }, text: `my code is ${codes[0]}` });
    const group = await eventually(async () => {
      const r = await s.json<{ items: AttentionItem[] }>('GET', '/api/v1/activity?connection=telegram&section=attention');
      return r.body.items.find((i) => i.actorId === '8383');
    }, 8000, 'the reused code in Attention');
    expect(group).toMatchObject({ actorId: '8383', reason: 'pairing-code-used', count: 1 });
  });

  it('allowlists a denied stranger from Attention; their next message is admitted', async () => {
    const admitted = collectCore<AdmittedMessage>(s.nc, s.subjects.admitted('telegram'));
    try {
      await s.inbound({ actor: { id: '777', displayName: 'Stranger Danger' }, conversation: { id: '777', kind: 'dm' }, text: 'hello?' });
      const group = await eventually(async () => {
        const r = await s.json<{ items: AttentionItem[] }>('GET', '/api/v1/activity?connection=telegram&section=attention');
        return r.body.items.find((i) => i.actorId === '777');
      }, 8000, 'the denial in Attention');
      expect(group).toMatchObject({ actorId: '777', conversationId: '777', displayName: 'Stranger Danger', reason: 'user-not-allowlisted', count: 1 });

      const added = await s.json<{ userId: string; user: User }>('POST', '/api/v1/connections/telegram/users', { id: group.actorId, displayName: group.displayName });
      expect(added.status).toBe(201);
      expect(added.body.user).toMatchObject({ id: '777', how: 'manual', approvedBy: ADMIN_ID });

      await s.inbound({ actor: { id: '777', displayName: 'Stranger Danger' }, conversation: { id: '777', kind: 'dm' }, text: 'now?' });
      const m = await admitted.waitFor((a) => a.message.actor.id === '777', 8000);
      expect(m.message.text).toBe('now?');
      expect(admitted.items.filter((a) => a.message.text === 'hello?')).toEqual([]);
    } finally {
      await admitted.stop();
    }
  });

  it('adds and removes spaces, and removes users', async () => {
    const added = await s.json('POST', '/api/v1/connections/telegram/spaces', { id: '-100200', kind: 'telegram-supergroup', title: 'Lab' });
    expect(added.status).toBe(201);
    expect((await s.json<{ items: { id: string; approvedBy: string }[] }>('GET', '/api/v1/connections/telegram/spaces')).body.items).toEqual([
      expect.objectContaining({ id: '-100200', kind: 'telegram-supergroup', title: 'Lab', approvedBy: ADMIN_ID, how: 'manual' }),
    ]);
    expect((await s.json('DELETE', '/api/v1/connections/telegram/spaces/-100200')).status).toBe(200);
    expect((await s.json<{ items: unknown[] }>('GET', '/api/v1/connections/telegram/spaces')).body.items).toEqual([]);

    await s.json('POST', '/api/v1/connections/telegram/users', { id: 'temp-1' });
    expect((await s.json('DELETE', '/api/v1/connections/telegram/users/temp-1')).status).toBe(200);
    const ids = (await s.json<{ items: User[] }>('GET', '/api/v1/connections/telegram/users')).body.items.map((u) => u.id);
    expect(ids).not.toContain('temp-1');
  });

  it('pushes projection changes over SSE', async () => {
    const controller = new AbortController();
    const res = await fetch(`${s.api.url}/api/v1/events/live`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let received = '';
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 8000;
      while (!received.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`SSE did not deliver ${needle}; got:\n${received}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('SSE stream ended');
        received += Buffer.from(value).toString('utf8');
      }
    };
    try {
      await readUntil('event: ready');
      const issued = await s.json<{ code: string }>('POST', '/api/v1/connections/telegram/pairing-tokens', { purpose: 'user' });
      codes.push(issued.body.code);
      await s.inbound({ actor: { id: '9001', displayName: 'Grace Hopper' }, conversation: { id: '9001', kind: 'dm' }, text: issued.body.code });
      await readUntil('event: observation.added');
      expect(received).toContain('event: token.issued');
      expect(received).toMatch(/event: observation\.added\ndata: \{[^\n]*"Grace Hopper"/);
      expect(received).not.toContain(issued.body.code);
    } finally {
      controller.abort();
    }
  });

  it('exports the audit log as NDJSON without any code, and never logs codes or tokens', async () => {
    const res = await s.call('GET', '/api/v1/events?fromPosition=0');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await res.text();
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; position: number; actor: { id: string } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['PairingTokenIssued', 'TokenObserved', 'UserApproved', 'MessageDenied']));
    expect(events.find((e) => e.type === 'UserApproved')?.actor).toEqual({ type: 'admin', id: ADMIN_ID });
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const compact = (c: string) => c.replace(/[^A-Z0-9]/gi, '');
    for (const code of codes) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(compact(code));
    }
    const from = events[3].position;
    const tail = (await (await s.call('GET', `/api/v1/events?fromPosition=${from}`)).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(tail[0].position).toBe(from);

    const logs = s.logs.join('\n');
    expect(logs).not.toContain(ADMIN_TOKEN);
    for (const code of codes) expect(logs).not.toContain(compact(code));
  });

  it('lists connections with counts and answers a connection test without a gateway', async () => {
    const list = await s.json<{ items: { id: string; platform: string; configured: boolean; counts: { users: number } }[] }>('GET', '/api/v1/connections');
    expect(list.body.items.map((c) => c.id).sort()).toEqual(['discord', 'feishu', 'line', 'mattermost', 'slack', 'telegram']);
    expect(list.body.items.find((c) => c.id === 'telegram')).toMatchObject({ platform: 'telegram', configured: true, connected: false });
    expect(list.body.items.find((c) => c.id === 'telegram')!.counts.users).toBeGreaterThanOrEqual(2);

    const test = await s.json<{ ok: boolean; error: string; latencyMs: number }>('POST', '/api/v1/connections/slack/connection-test');
    expect(test.status).toBe(200);
    expect(test.body).toEqual({ ok: false, bot: null, error: 'gateway not running', latencyMs: expect.any(Number) });
    const sub = s.nc.subscribe(s.subjects.rpcGateway('discord', 'connection-test'), {
      callback: (_e, m) => m.respond(Buffer.from(JSON.stringify({ ok: true, bot: { id: 'B1', name: 'twokey-bot' }, latencyMs: 12 }))),
    });
    await s.nc.flush();
    try {
      const ok = await s.json('POST', '/api/v1/connections/discord/connection-test');
      expect(ok.body).toEqual({ ok: true, bot: { id: 'B1', name: 'twokey-bot' }, latencyMs: 12 });
      // The test is remembered; `connected` comes from the gateway's status, which this stand-in does not answer.
      const after = await s.json<{ items: { id: string; connected: boolean; lastConnectionTest: unknown }[] }>('GET', '/api/v1/connections');
      expect(after.body.items.find((c) => c.id === 'discord')).toMatchObject({ connected: false, gateway: null, lastConnectionTest: { ok: true, at: expect.any(String) } });
      const metrics = await (await s.call('GET', '/metrics', { auth: false })).text();
      expect(metrics).toMatch(/^twokey_admin_commands_total\{verb="issue-token",outcome="ok"\} \d+$/m);
      expect(metrics).toMatch(/^twokey_admin_projection_position \d+$/m);
      expect(metrics).toMatch(/^twokey_admin_projection_lag_positions 0$/m);
      expect(metrics).toMatch(/^twokey_admin_projected_events_total\{type="UserApproved"\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^twokey_admin_http_requests_total\{method="GET",route="\/api\/v1\/connections\/:connection\/users",status="200"\} \d+$/m);
    } finally {
      sub.unsubscribe();
    }
  });

  it('passes a gateway\'s failure through with its error and bot null', async () => {
    const answers = [
      // What gateway-kit sends when the platform is slower than its limit.
      { ok: false, bot: null, latencyMs: 8000, error: 'no answer from feishu within 8000 ms' },
      // An adapter's own failure without any bot field.
      { ok: false, latencyMs: 40, error: 'Feishu refused a tenant access token' },
    ];
    const sub = s.nc.subscribe(s.subjects.rpcGateway('feishu', 'connection-test'), {
      callback: (_e, m) => m.respond(Buffer.from(JSON.stringify(answers.shift()))),
    });
    // The admin-api uses its own connection: the stand-in must be known to the server before it asks.
    await s.nc.flush();
    try {
      const slow = await s.json('POST', '/api/v1/connections/feishu/connection-test');
      expect(slow.body).toEqual({ ok: false, bot: null, latencyMs: 8000, error: 'no answer from feishu within 8000 ms' });
      const refused = await s.json('POST', '/api/v1/connections/feishu/connection-test');
      expect(refused.body).toEqual({ ok: false, bot: null, latencyMs: 40, error: 'Feishu refused a tenant access token' });
      const list = await s.json<{ items: { id: string; connected: boolean; lastConnectionTest: unknown }[] }>('GET', '/api/v1/connections');
      expect(list.body.items.find((c) => c.id === 'feishu')).toMatchObject({ connected: false, lastConnectionTest: { ok: false, bot: null, at: expect.any(String) } });
    } finally {
      sub.unsubscribe();
    }
  });

  it('counts the decisions it projects per connection and type in /metrics (denials by their message count)', async () => {
    const decisions = async (): Promise<Record<string, number>> => {
      const text = await (await s.call('GET', '/metrics', { auth: false })).text();
      const out: Record<string, number> = {};
      for (const m of text.matchAll(/^twokey_admin_decisions_total\{connection="([^"]+)",type="([^"]+)"\} (\d+)$/gm)) out[`${m[1]} ${m[2]}`] = Number(m[3]);
      return out;
    };
    const before = await decisions();
    expect(Object.keys(before).filter((k) => k.startsWith('line '))).toEqual([]);
    // Earlier tests paired and denied on telegram: already counted, and never as a token lifecycle event.
    expect(before['telegram UserApproved']).toBeGreaterThanOrEqual(2);
    expect(before['telegram TokenObserved']).toBeGreaterThanOrEqual(1);
    expect(Object.keys(before).some((k) => k.endsWith(' PairingTokenIssued'))).toBe(false);

    for (const text of ['one', 'two', 'three']) {
      await s.inbound({ connection: 'line', actor: { id: 'U-metrics', displayName: 'Counted' }, conversation: { id: 'U-metrics', kind: 'dm' }, text });
    }
    // Three messages, however the pairing-service coalesced them into MessageDenied events.
    await eventually(async () => ((await decisions())['line MessageDenied'] === 3 ? true : undefined), 8000, 'three denied messages counted');
    expect((await s.json('POST', '/api/v1/connections/line/users', { id: 'U-metrics' })).status).toBe(201);
    expect((await s.json('DELETE', '/api/v1/connections/line/users/U-metrics')).status).toBe(200);
    expect((await s.json('POST', '/api/v1/connections/line/pairing-tokens', { purpose: 'user' })).status).toBe(201);

    // Commands answer after the projection applied them (read-your-writes), so the next scrape has them.
    const after = await decisions();
    expect(Object.fromEntries(Object.entries(after).filter(([k]) => k.startsWith('line ')))).toEqual({
      'line MessageDenied': 3,
      'line UserApproved': 1,
      'line UserRemoved': 1,
    });
    expect(after['telegram UserApproved']).toBe(before['telegram UserApproved']);
  });

  it('`twokey events verify` agrees with the live read models, and reports a live model that drifted', async () => {
    const io = () => {
      let text = '';
      const stream = new PassThrough();
      stream.on('data', (b: Buffer) => (text += b.toString('utf8')));
      return { stream, text: () => text };
    };
    const verify = async () => {
      const out = io();
      const err = io();
      const code = await runCli(['events', 'verify', '--api', s.api.url, '--nats-url', s.nats.url, '--prefix', s.nats.prefix], { stdout: out.stream, stderr: err.stream, env: { TWOKEY_ADMIN_TOKEN: ADMIN_TOKEN } });
      return { code, stdout: out.text(), stderr: err.text() };
    };
    const ok = await verify();
    expect(ok.code).toBe(0);
    // stderr carries only the progress of the rebuild (stdout stays the result).
    expect(ok.stderr).toMatch(/^(verify: \d+% \(.*\)\n)+$/);
    expect(ok.stdout).toMatch(/^read models match at position \d+/);

    // Simulate a projection bug: the live model loses a user the log says is approved.
    s.api.projection.models.connections.get('telegram')!.users.delete('4242');
    const differs = await verify();
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/^read models DIFFER at position \d+: 1 difference\(s\)/);
    expect(differs.stdout).toContain('- telegram users 4242: in the rebuilt models, not in the live ones: {"id":"4242"');
  });
});
