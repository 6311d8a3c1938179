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

/**
 * The platform refused in a way that retrying cannot fix: credentials rejected (Telegram 401, Slack `invalid_auth`,
 * Mattermost 401 …), or a setting only the operator can change (Discord close 4014, disallowed intents). Thrown by an
 * adapter's `start`, or reported later through `PlatformAdapter.problem()`: the gateway then stops reconnecting
 * (a token past Discord's 1,000 IDENTIFYs a day gets reset) and says why in its status, until its configuration
 * changes (a restart) or an admin asks it to reconnect. The message must name no secret.
 */
export class NonRetryablePlatformError extends Error {
  override readonly name: string = 'NonRetryablePlatformError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The platform answered 429: the kit waits exactly `retryAfterMs` (the platform's retry_after / Retry-After). */
export class RateLimited extends Error {
  override readonly name = 'RateLimited';
  constructor(
    readonly retryAfterMs: number,
    message = `rate limited; retry after ${retryAfterMs} ms`,
  ) {
    super(message);
  }
}

/** The platform refused the markup (Telegram "can't parse entities"): the kit sends the same chunk as plain text. */
export class FormattingRejected extends Error {
  override readonly name = 'FormattingRejected';
}

/** The platform counted the chunk longer than its limit: the kit splits it smaller and sends the parts. */
export class MessageTooLong extends Error {
  override readonly name = 'MessageTooLong';
}
