/**
 * Un-acked messages the server lets the inbound consumer have: the held denials (up to DENIAL_MAX_HELD) plus room
 * for the pulled batches being decided and the denials of commits in flight, so that delivery never stops while
 * the held denials are below their limit.
 */
export function maxAckPending(denialMaxHeld: number): number {
  return denialMaxHeld + Math.max(20_000, Math.ceil(denialMaxHeld / 10));
}
