import type { InboundMessage } from '@twokey/contracts';
import type { JsonLogger } from '@twokey/service-kit';
import type { InboundSink } from './platform-adapter';

/**
 * What a platform's pure normalization makes of one platform event: a message to publish, something deliberately
 * ignored (own/bot messages, edits, non-text, other event types), or input that is broken (dead-lettered).
 */
export type Normalized =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string; field?: string; platformMessageId?: string };

/** Hands a normalization result to the sink: publish, log-and-skip, or dead-letter. */
export async function deliver(sink: InboundSink, result: Normalized, logger: JsonLogger, context: Record<string, unknown> = {}): Promise<void> {
  switch (result.kind) {
    case 'message':
      return sink.publish(result.message);
    case 'ignored':
      logger.debug('platform event ignored', { why: result.reason, ...context });
      return;
    case 'invalid':
      sink.reject(result.reason, { field: result.field, platformMessageId: result.platformMessageId, ...context });
      return;
  }
}

/** Display hints (names, titles) are clipped to what the contract accepts rather than losing the message. */
export function clipHint(value: string | undefined | null, max = 256): string | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (v.length <= max) return v;
  // Cut in UTF-16 units (what the contract counts) without splitting a surrogate pair.
  let cut = v.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + '…';
}

/** Seconds (possibly fractional, as Slack's `ts`) since the epoch → ISO date, or undefined when out of range. */
export function isoFromEpochSeconds(seconds: number): string | undefined {
  const d = new Date(seconds * 1000);
  return Number.isFinite(d.getTime()) && seconds >= 0 ? d.toISOString() : undefined;
}
