/** The local inbound buffer is full (NATS has been away too long): the message is refused, not silently dropped. */
export class GatewayBufferFull extends Error {
  override readonly name = 'GatewayBufferFull';
  constructor(readonly capacity: number) {
    super(`inbound buffer full (${capacity} messages waiting for NATS); message refused`);
  }
}

/**
 * Thrown by an adapter's `send` when retrying cannot help (unknown chat, bot removed, text refused by the platform):
 * the kit terminates the command and dead-letters it instead of redelivering it.
 */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
