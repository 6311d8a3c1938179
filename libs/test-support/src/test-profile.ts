import type { CapabilityProfile } from '@twokey/contracts';

/** The profile of the kit tests' stub adapters: plain text, generous limits, no typing. */
export const TEST_PROFILE: CapabilityProfile = {
  dialect: 'plain',
  maxLength: 4_000,
  lengthUnit: 'utf16',
  maxChunks: 50,
  edits: true,
  writeBudget: { writes: 1_000, perSeconds: 1 },
  typing: 'none',
  buttons: false,
  tables: false,
};

/** The reply capability key of every gateway and pairing-service a test starts. */
export const TEST_REPLY_CAPABILITY_SECRET = 'test-reply-capability-secret-0123456789abcdef';
