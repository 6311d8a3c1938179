/**
 * The numbers of the pairing rules (§5), in one place so tests and the service read the same values.
 * Token TTL bounds come from the contracts because the RPC schema validates them too.
 */
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS } from '@twokey/contracts';

const MINUTE_MS = 60_000;

export const PAIRING_POLICY = {
  defaultTokenTtlSeconds: DEFAULT_TOKEN_TTL_SECONDS,
  minTokenTtlSeconds: MIN_TOKEN_TTL_SECONDS,
  maxTokenTtlSeconds: MAX_TOKEN_TTL_SECONDS,
  /** Rule 6: more live tokens only widen the space a guesser can hit. */
  maxLiveTokens: 3,
  /** Rule 3: an observation not decided by then expires. */
  observationTtlMs: 30 * MINUTE_MS,
  /**
   * A dead token (expired, revoked or consumed) is still recognized until its original expiry plus this long,
   * so a late or repeated code is reported as `pairing-code-expired` (or `pairing-code-used`) rather than as a guess.
   */
  deadTokenMemoryMs: 60 * MINUTE_MS,
  /** Rule 6: failed code-shaped attempts allowed per actor and per conversation within the window. */
  maxFailedAttempts: 5,
  attemptWindowMs: 15 * MINUTE_MS,
  /** How long a throttle lasts once the limit is exceeded. */
  throttleMs: 15 * MINUTE_MS,
  /** How long a decided observation is remembered (so approving it twice says conflict, not not-found). */
  decidedObservationMemoryMs: 60 * MINUTE_MS,
} as const;

export type PairingPolicy = typeof PAIRING_POLICY;
