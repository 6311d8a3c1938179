import type { CapabilityProfile } from '@twokey/contracts';
import { NO_PROFILE, replyProfileOf } from './gateway-profiles';

const telegramLike: CapabilityProfile = {
  dialect: 'telegram-html',
  maxLength: 4096,
  lengthUnit: 'utf16',
  maxChunks: 50,
  edits: true,
  writeBudget: { writes: 20, perSeconds: 60 },
  typing: 'refreshed',
  buttons: true,
  tables: false,
};

describe('replyProfileOf (the bridge reads the gateway status profile)', () => {
  it('takes edits, typing, length and an edit interval from the write budget', () => {
    expect(replyProfileOf(telegramLike)).toEqual({ edits: true, typing: true, maxLength: 4096, minEditIntervalMs: 3000 });
  });

  it('treats a platform without typing or edits as such', () => {
    expect(replyProfileOf({ ...telegramLike, edits: false, typing: 'none', writeBudget: { writes: 1, perSeconds: 1 } })).toEqual({
      edits: false,
      typing: false,
      maxLength: 4096,
      minEditIntervalMs: 1000,
    });
  });

  it('falls back to "no edits, sent whole" for a missing or unreadable profile', () => {
    expect(replyProfileOf(undefined)).toBe(NO_PROFILE);
    expect(replyProfileOf({ edits: 'yes' })).toBe(NO_PROFILE);
  });
});
