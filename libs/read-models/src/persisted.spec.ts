import { initialReadModels } from './model';
import { encodeReadModels, readModelsVersion, restoreReadModels } from './persisted';
import { projectAll } from './project';
import { actor, dm, EventFixtures } from './testing';

function log(f: EventFixtures, strangers: number) {
  const events = [
    f.stored({ type: 'UserApproved', data: { user: actor('alice'), how: 'manual' } }),
    f.stored({ type: 'PairingTokenIssued', data: { tokenId: 't1', purpose: 'user', codeHmac: 'a'.repeat(64), expiresAt: f.inMinutes(10) } }),
  ];
  for (let i = 0; i < strangers; i++) {
    f.tick(1_000);
    const a = actor(`s${i % 7}`);
    events.push(f.stored({ type: 'MessageDenied', data: { reason: 'user-not-allowlisted', actor: a, conversation: dm(a.id), count: 1, firstSeenAt: f.now(), lastSeenAt: f.now() } }));
  }
  return events;
}

describe('persisted read models', () => {
  it('restore + the tail = a full replay, Attention order and eviction included', () => {
    const f = new EventFixtures();
    const head = log(f, 30);
    const tail = log(f, 12);
    const options = { maxAttentionGroups: 5 };
    const restored = initialReadModels(options);
    restoreReadModels(restored, JSON.parse(JSON.stringify(encodeReadModels(projectAll(initialReadModels(options), head)))));
    projectAll(restored, tail);
    const full = projectAll(initialReadModels(options), [...head, ...tail]);
    expect(encodeReadModels(restored)).toEqual(encodeReadModels(full));
    expect([...restored.connections.get('telegram')!.attention.keys()]).toEqual([...full.connections.get('telegram')!.attention.keys()]);
  });

  it('names the options in the version and refuses to restore over state or from garbage', () => {
    expect(readModelsVersion({ maxAttentionGroups: 5 })).not.toBe(readModelsVersion({ maxAttentionGroups: 6 }));
    const models = initialReadModels();
    expect(() => restoreReadModels(models, { position: 'x' } as never)).toThrow(TypeError);
    expect(models.connections.size).toBe(0);
    projectAll(models, log(new EventFixtures(), 1));
    expect(() => restoreReadModels(models, encodeReadModels(models))).toThrow(/already/);
  });
});
