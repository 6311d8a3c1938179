/** Admin command errors travel in the reply body with a stable code (admin-api maps them to HTTP). */
import { headers as natsHeaders } from 'nats';
import { PairingReplySchema } from '@twokey/contracts';
import { RPC_PROOF_HEADER, RpcProof, RpcRemoteError, rpcRequest } from '@twokey/messaging';
import { startNats, type NatsHarness } from '@twokey/test-support';
import { ADMIN, inbound, isEvent, NatsClient, startService, testConfig, type RunningService } from './support';

describe('pairing rpc errors', () => {
  let nats: NatsHarness;
  let running: RunningService;
  let client: NatsClient;
  const base = { connection: 'telegram', initiator: ADMIN, correlationId: 'corr-1' };

  beforeAll(async () => {
    nats = await startNats();
    running = await startService(testConfig(nats));
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    await client?.close();
    await running?.service.stop();
    await nats?.dispose();
  });

  it('answers an invalid body with code invalid and the offending field', async () => {
    await expect(client.rpc('issue-token', { ...base, purpose: 'admin' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid', field: 'purpose' },
    });
    await expect(client.rpc('issue-token', { ...base, purpose: 'user', ttlSeconds: 5 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid', field: 'ttlSeconds' },
    });
    await expect(client.rpc('approve-observation', { ...base, connection: 'Not A Connection', observationId: 'x' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid', field: 'connection' },
    });
    await expect(client.rpc('add-user', { connection: 'telegram', correlationId: 'c', user: { id: '1' } })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid', field: 'initiator' },
    });
  });

  it('answers an unknown verb with code invalid naming the known verbs, instead of "no responders"', async () => {
    const reply = await rpcRequest(client.nc, `${nats.prefix}.rpc.pairing.approve-everyone`, base, PairingReplySchema('add-user'), 5_000, client.proof);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid', field: 'verb' } });
    expect(!reply.ok && reply.error.message).toMatch(/unknown command "approve-everyone".*issue-token/);
  });

  it('L2: refuses, unparsed, a command without the proof of its sender, or with a proof for another verb or key', async () => {
    const request = { ...base, purpose: 'user' };
    const subject = client.s.rpcPairing('issue-token');
    const refusals = () => running.logs.lines.filter((l) => l.includes('admin command refused')).length;
    const before = refusals();
    await expect(rpcRequest(client.nc, subject, request, PairingReplySchema('issue-token'))).rejects.toMatchObject({ code: '401' });
    await expect(rpcRequest(client.nc, subject, request, PairingReplySchema('issue-token'), 5_000, new RpcProof('another-deployment-secret-0123456789ab'))).rejects.toBeInstanceOf(RpcRemoteError);
    // A proof made for one verb does not carry over to another subject.
    const h = natsHeaders();
    h.set(RPC_PROOF_HEADER, client.proof.sign(client.s.rpcPairing('add-user'), Buffer.from(JSON.stringify(request))));
    const moved = await client.nc.request(subject, Buffer.from(JSON.stringify(request)), { headers: h, timeout: 5_000 });
    expect(moved.headers?.get('Nats-Service-Error-Code')).toBe('401');
    expect(refusals()).toBe(before + 3);
    // None of them reached the decider: no token was issued.
    const issuedEvents = (await client.events()).filter((e) => e.type === 'PairingTokenIssued' && e.correlationId === base.correlationId);
    expect(issuedEvents).toEqual([]);
    await expect(client.rpc('issue-token', { ...request, correlationId: 'proved' })).resolves.toMatchObject({ ok: true });
  });

  it('answers not-found for an unknown observation and conflict when approving twice', async () => {
    await expect(client.rpc('approve-observation', { ...base, observationId: 'no-such-observation' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'not-found', field: 'observationId' },
    });

    const issued = await client.ok('issue-token', { connection: 'telegram', purpose: 'user' });
    const msg = inbound({ actor: { id: '4242' }, text: issued.result.code });
    await client.publish(msg);
    const observed = await client.waitForEvent('TokenObserved', isEvent('TokenObserved', (e) => e.data.actor.id === '4242'));
    const first = await client.rpc('approve-observation', { ...base, correlationId: 'approve-1', observationId: observed.data.observationId });
    expect(first).toMatchObject({ ok: true, result: { approved: 'user', subjectId: '4242' } });
    const second = await client.rpc('approve-observation', { ...base, correlationId: 'approve-2', observationId: observed.data.observationId });
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // The failed command appended nothing.
    const approvals = (await client.events()).filter(isEvent('UserApproved', (e) => e.data.user.id === '4242'));
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({ correlationId: 'approve-1', causationId: 'approve-1', actor: ADMIN });
  });

  it('limits live tokens, reports missing users and answers with positions', async () => {
    const fresh = { ...base, connection: 'limits' };
    const positions: number[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await client.rpc('issue-token', { ...fresh, correlationId: `issue-${i}`, purpose: 'user' });
      if (!reply.ok) throw new Error(JSON.stringify(reply.error));
      positions.push(reply.position);
    }
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    await expect(client.rpc('issue-token', { ...fresh, purpose: 'space' })).resolves.toMatchObject({ ok: false, error: { code: 'conflict' } });
    await expect(client.rpc('remove-user', { ...fresh, userId: 'nobody' })).resolves.toMatchObject({ ok: false, error: { code: 'not-found' } });
    await expect(client.rpc('revoke-token', { ...fresh, tokenId: 'nope' })).resolves.toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
