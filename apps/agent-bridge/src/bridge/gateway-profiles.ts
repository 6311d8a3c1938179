import type { NatsConnection } from 'nats';
import { z } from 'zod';
import { CapabilityProfile, type Subjects } from '@twokey/contracts';
import { rpcRequest } from '@twokey/messaging';

/**
 * The part of a gateway's capability profile the bridge uses, read leniently from the gateway status RPC: a
 * gateway that reports no profile (or an older one) gets the safe default, "no edits, the answer sent whole".
 */
export interface ReplyProfile {
  edits: boolean;
  typing: boolean;
  /** Longest text of one platform message, when the gateway says. */
  maxLength?: number;
  /** Least time between two edits of one message, when the gateway says (its write budget). */
  minEditIntervalMs?: number;
}

export const NO_PROFILE: ReplyProfile = { edits: false, typing: false };

/** The status answer, read leniently: only its `profile` (the contract's CapabilityProfile) matters here. */
const ProfileView = z.object({ profile: z.unknown().optional() }).loose();

/** The bridge's view of a gateway's CapabilityProfile; an unreadable profile means the safe default. */
export function replyProfileOf(raw: unknown): ReplyProfile {
  const parsed = CapabilityProfile.safeParse(raw);
  if (!parsed.success) return NO_PROFILE;
  const p = parsed.data;
  return {
    edits: p.edits,
    typing: p.typing !== 'none',
    maxLength: p.maxLength,
    // Spread the conversation's write budget over its writes, so a growing answer never waits on the gateway's budget.
    minEditIntervalMs: Math.ceil((p.writeBudget.perSeconds * 1000) / p.writeBudget.writes),
  };
}

const TTL_MS = 60_000;
const TIMEOUT_MS = 1_000;

/** Asks `<prefix>.rpc.gateway.<connection>.status` at most once a minute per connection. */
export class GatewayProfiles {
  private readonly cache = new Map<string, { at: number; profile: Promise<ReplyProfile> }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
  ) {}

  of(connection: string): Promise<ReplyProfile> {
    const hit = this.cache.get(connection);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.profile;
    const profile = rpcRequest(this.nc, this.s.rpcGateway(connection, 'status'), {}, ProfileView, TIMEOUT_MS).then(
      (r): ReplyProfile => replyProfileOf(r.profile),
      () => NO_PROFILE,
    );
    this.cache.set(connection, { at: Date.now(), profile });
    return profile;
  }

  /** A gateway said it cannot edit after all (DeliveryReport `unsupported`): stop trying for a while. */
  noEdits(connection: string): void {
    this.cache.set(connection, { at: Date.now(), profile: Promise.resolve(NO_PROFILE) });
  }
}
