import type { NatsConnection } from 'nats';
import { redactSecrets, type JsonLogger } from '@twokey/service-kit';

/** What a DLQ entry carries: enough to find the input again, never its text or a secret. */
export interface DeadLetter {
  origin: string;
  connection: string;
  platform: string;
  reason: string;
  field?: string;
  platformMessageId?: string;
  at: string;
  details?: Record<string, string | number | boolean | null>;
}

/** Keys whose values may carry message text or credentials: never copied into a DLQ entry. */
const UNSAFE_KEY = /(text|content|body|message$|token|secret|password|code|signature|authorization)/i;

/** Keeps only short primitive values under safe keys. */
export function safeDetails(details: Record<string, unknown> = {}): DeadLetter['details'] {
  const out: NonNullable<DeadLetter['details']> = {};
  for (const [k, v] of Object.entries(details)) {
    if (UNSAFE_KEY.test(k)) continue;
    if (typeof v === 'string') out[k] = redactSecrets(v).slice(0, 256);
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export class DeadLetters {
  constructor(
    private readonly nc: () => NatsConnection | undefined,
    private readonly subject: string,
    private readonly base: { origin: string; connection: string; platform: string },
    private readonly logger: JsonLogger,
  ) {}

  /** Logs a clear error and publishes the entry (core NATS; nats.js buffers it while reconnecting). */
  send(reason: string, extra: { field?: string; platformMessageId?: string; details?: Record<string, unknown> } = {}): DeadLetter {
    const entry: DeadLetter = {
      ...this.base,
      reason: redactSecrets(reason),
      ...(extra.field !== undefined ? { field: extra.field } : {}),
      ...(extra.platformMessageId !== undefined ? { platformMessageId: extra.platformMessageId } : {}),
      at: new Date().toISOString(),
      details: safeDetails(extra.details),
    };
    this.logger.error('rejected platform input (dead-lettered)', { dlq: this.subject, ...entry });
    const nc = this.nc();
    try {
      if (nc && !nc.isClosed()) nc.publish(this.subject, Buffer.from(JSON.stringify(entry)));
      else this.logger.error('dead letter not published: NATS connection closed', { dlq: this.subject, reason });
    } catch (e) {
      this.logger.error('dead letter not published', { dlq: this.subject, error: e });
    }
    return entry;
  }
}
