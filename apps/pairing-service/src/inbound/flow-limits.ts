/**
 * Un-acked messages the server lets the inbound consumer have: held denials plus pulled batches being decided.
 * Held denials keep only an ack subject each, so a large limit costs little memory.
 */
export const MAX_ACK_PENDING = 100_000;

/** Held denials that trigger an early flush, leaving room below MAX_ACK_PENDING for the messages being decided. */
export const MAX_HELD_DENIALS = 80_000;
