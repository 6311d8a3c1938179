/**
 * What the bridge does with a gateway's capability profile (read from `<prefix>.rpc.gateway.<connection>.status`)
 * and with its DeliveryReports: typing and a growing answer where the gateway can edit; a failed final reply is in
 * the status and metrics, and an edit the gateway cannot do is sent again whole, as plain text.
 */
import { AgentStatus, DeliveryReport, OutboundCommand, OutboundCommandSchema } from '@twokey/contracts';
import { rpcRequest } from '@twokey/messaging';
import { TEST_PROFILE, until } from '@twokey/test-support/gateway-harness';
import { admitted, BridgeRig, startBridgeRig } from './bridge-rig';

/** A gateway that edits and shows typing, with a budget that never holds the growing answer back. */
const EDITING_PROFILE = { ...TEST_PROFILE, dialect: 'telegram-html', edits: true, typing: 'refreshed', maxLength: 4096 };

describe('agent bridge and the gateway profile', () => {
  let rig: BridgeRig;
  const commands = (conversation: string): OutboundCommand[] =>
    rig.outbound.items.map((i) => OutboundCommandSchema.parse(i.data)).filter((c) => c.conversationId === conversation);

  beforeAll(async () => {
    rig = await startBridgeRig({ EDIT_INTERVAL_MS: '100' });
    rig.nc.subscribe(rig.s.rpcGateway('telegram', 'status'), {
      callback: (_e, m) =>
        m.respond(JSON.stringify({ connection: 'telegram', platform: 'telegram', adapterStarted: true, since: new Date().toISOString(), bufferSize: 0, profile: EDITING_PROFILE })),
    });
    await rig.nc.flush();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('shows typing, sends the answer as it starts and finishes it with a final edit of the same message', async () => {
    await rig.admit(admitted('slow 400 growing', { actorId: '8001' }));
    await until(() => commands('8001').some((c) => c.type === 'edit-message' && c.final));
    const cs = commands('8001');
    expect(cs[0]).toMatchObject({ type: 'chat-action', action: 'typing', state: 'start' });
    const first = cs.find((c) => c.type === 'send-message')!;
    expect(first).toMatchObject({ final: false, format: 'markdown' });
    const final = cs.find((c) => c.type === 'edit-message' && c.final)!;
    expect(final).toMatchObject({ targetIdempotencyKey: first.idempotencyKey, text: 'working… done: slow 400 growing' });
    await until(() => commands('8001').some((c) => c.type === 'chat-action' && c.state === 'stop'));
  });

  it('counts a failed reply, and sends an edit the gateway cannot do again whole, as plain text', async () => {
    await rig.admit(admitted('slow 300 second', { actorId: '8002' }));
    await until(() => commands('8002').some((c) => c.type === 'edit-message' && c.final));
    const final = commands('8002').find((c) => c.type === 'edit-message' && c.final)!;
    const report: DeliveryReport = {
      schemaVersion: 1, connection: 'telegram', idempotencyKey: final.idempotencyKey, command: 'edit-message', conversationId: '8002',
      status: 'failed', platformMessageIds: [], failure: 'unsupported', reason: 'this platform cannot edit', at: new Date().toISOString(),
    };
    await rig.nc.jetstream().publish(rig.s.delivered('telegram'), JSON.stringify(report));
    await until(() => commands('8002').some((c) => c.type === 'send-message' && c.idempotencyKey === `${final.idempotencyKey}.plain`));
    const resent = commands('8002').find((c) => c.idempotencyKey === `${final.idempotencyKey}.plain`)!;
    expect(resent).toMatchObject({ format: 'plain', final: true, text: final.type === 'edit-message' ? final.text : '' });
    const status = await rpcRequest(rig.nc, rig.s.rpcAgent('status'), {}, AgentStatus);
    expect(status.deliveryFailures).toBe(1);
    expect(status.lastDeliveryFailure).toMatchObject({ idempotencyKey: final.idempotencyKey, failure: 'unsupported' });
  });
});
