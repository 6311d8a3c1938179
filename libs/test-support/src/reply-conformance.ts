/**
 * What every gateway must show for replies, through the gateway and its platform fake (issue 15, "It must show"):
 * a 20,000-character answer with three fences arrives complete, in order, every chunk accepted; an edit changes
 * the message (or is refused as unsupported where the platform has none); typing only with a valid capability;
 * forged, expired and other-conversation capabilities refused with zero platform calls. Each gateway's test file
 * builds the rig (its fake, its gateway) and calls `describeReplyConformance` inside its describe block.
 */
import type { CapabilityProfile } from '@twokey/contracts';
import { type GatewayUnderTest, settle, testCapabilities } from './gateway-harness';
import { answerTokens, longAnswer } from './reply-fixtures';

export interface ReplyRig {
  gw: GatewayUnderTest;
  profile: CapabilityProfile;
  /** Where an admitted user talks to the bot (a DM where typing is shown only in DMs). */
  target: { conversationId: string; threadId?: string };
  /** Another conversation the bot can reach (a stranger's). */
  elsewhere: string;
  /** What a reader sees of the platform message named by a DeliveryReport id, as the fake keeps it now. */
  visibleText(platformMessageId: string): string | undefined;
  /** The edits the fake recorded for that message. */
  editsOf(platformMessageId: string): string[];
  /** Statuses of the fake's answers to message-creating calls, in order. */
  sendStatuses(): number[];
  /** Typing / loading-indicator calls the fake received. */
  typingCalls(): number;
  /** Every call a user would notice. */
  userFacingCalls(): number;
}

export function describeReplyConformance(rig: () => ReplyRig): void {
  it('reports its capability profile in the status RPC', async () => {
    const r = rig();
    expect((await r.gw.statusRpc()).profile).toEqual(r.profile);
  });

  it('delivers a 20,000-character answer with three code fences complete, in order, every chunk accepted', async () => {
    const r = rig();
    const text = longAnswer(20_000);
    const before = r.sendStatuses().length;
    const key = await r.gw.sendOutbound({ ...r.target, text, format: 'markdown' });
    const report = await r.gw.report(key, 30_000);
    expect(report).toMatchObject({ status: 'delivered', command: 'send-message' });
    const statuses = r.sendStatuses().slice(before);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s >= 200 && s < 300)).toBe(true);
    const visible = report.platformMessageIds.map((id) => r.visibleText(id));
    expect(visible.every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
    expect(answerTokens(visible.join('\n'))).toEqual(answerTokens(text));
  });

  it('edits a sent message, or says the platform cannot', async () => {
    const r = rig();
    const key = await r.gw.sendOutbound({ ...r.target, text: 'draft in progress', final: false });
    const sent = await r.gw.report(key);
    expect(sent.status).toBe('delivered');
    const calls = r.userFacingCalls();
    const edit = await r.gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, ...r.target, targetIdempotencyKey: key, text: 'final answer w99999', final: true });
    const report = await r.gw.report(edit);
    if (!r.profile.edits) {
      expect(report).toMatchObject({ status: 'failed', failure: 'unsupported' });
      expect(r.userFacingCalls()).toBe(calls);
      return;
    }
    expect(report).toMatchObject({ status: 'delivered', platformMessageIds: sent.platformMessageIds });
    const id = sent.platformMessageIds[0];
    expect(r.visibleText(id)).toContain('w99999');
    expect(r.editsOf(id)).toHaveLength(1);
  });

  it('shows typing only for a conversation with a valid capability', async () => {
    const r = rig();
    const before = r.typingCalls();
    const key = await r.gw.sendOutbound({ type: 'chat-action', schemaVersion: 1, ...r.target, action: 'typing', state: 'start' });
    const report = await r.gw.report(key);
    if (r.profile.typing === 'none') {
      expect(report).toMatchObject({ status: 'failed', failure: 'unsupported' });
      expect(r.typingCalls()).toBe(before);
    } else {
      expect(report).toMatchObject({ status: 'delivered' });
      expect(r.typingCalls()).toBe(before + 1);
    }
    await r.gw.report(await r.gw.sendOutbound({ type: 'chat-action', schemaVersion: 1, ...r.target, action: 'typing', state: 'stop' }));
    const after = r.typingCalls();
    const stranger = await r.gw.sendOutbound({ type: 'chat-action', schemaVersion: 1, conversationId: r.elsewhere, action: 'typing', state: 'start', replyCapability: null });
    expect(await r.gw.report(stranger)).toMatchObject({ status: 'failed', failure: 'capability-invalid' });
    expect(r.typingCalls()).toBe(after);
  });

  it('refuses forged, expired and other-conversation capabilities with zero platform calls', async () => {
    const r = rig();
    const before = r.userFacingCalls();
    const target = { connection: r.gw.connection, ...r.target };
    const good = testCapabilities().sign(target);
    const expired = testCapabilities(() => new Date(Date.now() - 2 * 3600_000)).sign(target);
    const forgedMac = good.mac.startsWith('A') ? `B${good.mac.slice(1)}` : `A${good.mac.slice(1)}`;
    const keys = [
      await r.gw.sendOutbound({ ...r.target, text: 'forged', replyCapability: { ...good, mac: forgedMac } }),
      await r.gw.sendOutbound({ ...r.target, text: 'expired', replyCapability: expired }),
      await r.gw.sendOutbound({ conversationId: r.elsewhere, text: 'elsewhere', replyCapability: good }),
      await r.gw.sendOutbound({ conversationId: r.elsewhere, text: 'none', replyCapability: null }),
      await r.gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, conversationId: r.elsewhere, targetIdempotencyKey: 'x', text: 'edit', replyCapability: good }),
    ];
    for (const k of keys) expect(await r.gw.report(k)).toMatchObject({ status: 'failed', failure: 'capability-invalid', platformMessageIds: [] });
    await settle(200);
    expect(r.userFacingCalls()).toBe(before);
  });
}
