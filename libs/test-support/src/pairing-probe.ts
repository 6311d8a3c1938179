/**
 * What an end-to-end gateway test needs from a running pairing-service, over real NATS: its admin commands
 * (request/reply) and its events (read back from the event store), plus a test configuration with a short denial
 * window. The service itself is created by the test (it lives in apps/pairing-service).
 */
import type { NatsConnection } from 'nats';
import {
  accessStream,
  activityStream,
  Actor,
  EventType,
  PAIRING_RPC_REQUESTS,
  PairingReply,
  PairingReplySchema,
  PairingResult,
  PairingVerb,
  Space,
  StoredEvent,
  subjects as subjectsFor,
  TokenPurpose,
} from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { RpcProof, rpcRequest } from '@twokey/messaging';
import type { z } from 'zod';
import { TEST_REPLY_CAPABILITY_SECRET } from './test-profile';

/** The RPC auth secret of the test configurations: the probe proves its commands with it, as the admin-api does. */
export const TEST_RPC_AUTH_SECRET = 'test-rpc-auth-secret-0123456789abcdefgh';

/** Structurally the pairing-service's config: a short denial window so MessageDenied shows up fast. */
export function pairingTestConfig(nats: { url: string; prefix: string }) {
  return {
    prefix: nats.prefix,
    nats: { url: nats.url },
    http: { port: 0, host: '127.0.0.1' },
    hmacSecret: 'test-pairing-hmac-secret-0123456789abcdef',
    rpcAuthSecret: TEST_RPC_AUTH_SECRET,
    // The gateways under test check capabilities with the same key (gateway-harness).
    replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET, ttlSeconds: 3600 },
    systemMessages: { connections: [] as string[] | '*', userApproved: "You're approved.", spaceApproved: 'This chat is approved.' },
    denialWindowMs: 200,
    denialMaxCoalesce: 500,
    denialMaxHeld: 1_000_000,
    consumerName: 'pairing-service',
    ackWaitMs: 30_000,
    expiryTickMs: 200,
    ensureStreams: true,
    logLevel: 'warn' as const,
  };
}

type RequestBody<V extends PairingVerb> = Omit<z.input<(typeof PAIRING_RPC_REQUESTS)[V]>, 'initiator' | 'correlationId'>;

export class PairingProbe {
  private readonly store: JetStreamEventStore;
  private seq = 0;
  private readonly proof = new RpcProof(TEST_RPC_AUTH_SECRET);

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {
    this.store = new JetStreamEventStore({ nc, subjects: subjectsFor(prefix) });
  }

  /** Sends an admin command as the admin-api does; throws with the service's error when it says no. */
  async command<V extends PairingVerb>(verb: V, body: RequestBody<V>): Promise<PairingResult<V>> {
    const request = { ...body, initiator: { type: 'admin', id: 'test-admin' }, correlationId: `test-${++this.seq}` };
    const reply = (await rpcRequest(this.nc, subjectsFor(this.prefix).rpcPairing(verb), request, PairingReplySchema(verb), 5000, this.proof)) as PairingReply<V>;
    if (!reply.ok) throw new Error(`pairing ${verb} failed: ${reply.error.code} ${reply.error.message}`);
    return reply.result;
  }

  issueToken(connection: string, purpose: TokenPurpose) {
    return this.command('issue-token', { connection, purpose });
  }

  approve(connection: string, observationId: string) {
    return this.command('approve-observation', { connection, observationId });
  }

  addUser(connection: string, user: Actor) {
    return this.command('add-user', { connection, user });
  }

  addSpace(connection: string, space: Space) {
    return this.command('add-space', { connection, space });
  }

  /** Every event of the connection's two streams, access first. */
  async events(connection: string): Promise<StoredEvent[]> {
    const [access, activity] = await Promise.all([this.store.readStream(accessStream(connection)), this.store.readStream(activityStream(connection))]);
    return [...access.events, ...activity.events];
  }

  /** Polls the connection's events until one of `type` matches `pred`. */
  async waitForEvent<T extends EventType>(
    connection: string,
    type: T,
    pred: (e: Extract<StoredEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 8000,
  ): Promise<Extract<StoredEvent, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.events(connection)).find((e): e is Extract<StoredEvent, { type: T }> => e.type === type && pred(e as Extract<StoredEvent, { type: T }>));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} event for ${connection} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
