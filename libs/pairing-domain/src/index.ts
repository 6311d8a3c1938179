export * from './api';
export { CROCKFORD_ALPHABET, CODE_LENGTH, formatCode, isNormalizedCode } from './code';
export { extractCandidate, findCodeCandidates, MAX_CANDIDATES, MAX_SEARCHED_LENGTH } from './normalize';
export type { CodeCandidate } from './normalize';
export { PAIRING_POLICY } from './policy';
export type { PairingPolicy } from './policy';
export { initialState, isLive, isPending, liveTokens, nextExpiryAt } from './state';
export type {
  AccessState,
  ObservationRecord,
  ObservationStatus,
  ThrottleScope,
  TokenRecord,
  TokenStatus,
} from './state';
export { evolve, evolveInPlace, rehydrate } from './evolve';
export type { EvolvableEvent } from './evolve';
export { decide } from './decide';
export {
  coalesce,
  DEFAULT_COALESCER_OPTIONS,
  denialKey,
  emptyCoalescer,
  flushAll,
  flushDue,
  flushHeld,
  heldSequences,
  nextFlushAt,
} from './coalescer';
export type { CoalescerOptions, CoalescerState, CoalesceResult, FlushResult, MessageDeniedData } from './coalescer';
export { ACCESS_STATE_CODEC_VERSION, decodeAccessState, encodeAccessState } from './state-codec';
export type { EncodedAccessState } from './state-codec';
