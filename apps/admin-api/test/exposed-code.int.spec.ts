// M3, the review's reproduction: a user code posted in a group is read by a bystander, who redeems it in a DM.
import { accessStream } from '@twokey/contracts';
import { eventually, Stack, startStack } from './stack';

interface Pairing { tokens: { tokenId: string }[]; observations: { actor: { id: string } }[] }
interface AttentionItem { actorId: string; conversationId: string; reason: string }

describe('M3: a live code posted where it cannot be used', () => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('M3: a user code posted in a group is revoked with the place, shown in Attention, and a bystander cannot redeem it', async () => {
    const issued = await s.json<{ tokenId: string; code: string }>('POST', '/api/v1/connections/telegram/pairing-tokens', { purpose: 'user' });
    expect(issued.status).toBe(201);
    // The owner pastes the code into a group by mistake.
    await s.inbound({
      actor: { id: '5001', displayName: 'Owner' },
      conversation: { id: '-100777', kind: 'supergroup' },
      space: { id: '-100777', kind: 'telegram-supergroup', title: 'Team' },
      text: issued.body.code,
    });
    const revoked = await eventually(async () => {
      const read = await s.store.readStream(accessStream('telegram'));
      return read.events.find((e) => e.type === 'TokenRevoked' && e.data.tokenId === issued.body.tokenId);
    }, 8000, 'the exposed token to be revoked');
    expect(revoked.data).toEqual({
      tokenId: issued.body.tokenId,
      exposedIn: {
        actor: { id: '5001', displayName: 'Owner' },
        conversation: { id: '-100777', kind: 'supergroup' },
        space: { id: '-100777', kind: 'telegram-supergroup', title: 'Team' },
      },
    });
    const pairing = await s.json<Pairing>('GET', '/api/v1/connections/telegram/pairing');
    expect(pairing.body.tokens.map((t) => t.tokenId)).not.toContain(issued.body.tokenId);

    // A bystander who read it in the group sends it to the bot in a DM: no observation, nothing to approve.
    await s.inbound({ actor: { id: '6002', displayName: 'Owner' }, conversation: { id: '6002', kind: 'dm' }, text: issued.body.code });
    const attention = await eventually(async () => {
      const r = await s.json<{ items: AttentionItem[] }>('GET', '/api/v1/activity?connection=telegram&section=attention');
      const exposed = r.body.items.find((i) => i.actorId === '5001' && i.reason === 'pairing-code-exposed');
      const bystander = r.body.items.find((i) => i.actorId === '6002');
      return exposed && bystander ? { exposed, bystander } : undefined;
    }, 8000, 'both denials in Attention');
    expect(attention.exposed.conversationId).toBe('-100777');
    expect(attention.bystander.reason).toBe('pairing-code-expired');
    expect((await s.json<Pairing>('GET', '/api/v1/connections/telegram/pairing')).body.observations).toEqual([]);
  });
});
