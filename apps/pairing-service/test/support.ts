/**
 * Helpers for the pairing-service integration tests: a real NATS (harness), the real service (in-process or as a
 * child process) and a client that speaks only NATS, the way gateways and admin-api do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import {
  inboundMessageId,
  PairingReplySchema,
  subjects,
  type AdmittedMessage,
  type Initiator,
  type InboundMessage,
  type PairingReply,
  type PairingVerb,
  type StoredEvent,
  type Subjects,
} from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { RpcProof, rpcRequest } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import type { NatsHarness } from '@twokey/test-support';
import { collectStream, type Collected, type StoredMessage } from '@twokey/test-support/stream-collector';
import { loadPairingConfig, type PairingServiceConfig } from '../src/config';
import { createPairingService, type PairingService, type PairingServiceOptions } from '../src/pairing-service';

/** What the admin-api proves its commands with in these tests. */
export const TEST_RPC_AUTH_SECRET = 'test-rpc-auth-secret-0123456789abcdefgh';

export const ADMIN: Initiator = { type: 'admin', id: 'admin-1', name: 'Test Admin' };

/**
 * Every variable the service reads, for the harness's server and prefix. The HMAC secret is derived from the
 * prefix: replicas started for one harness are one deployment and must share it (a code issued by one replica is
 * matched by another).
 */
export function serviceEnv(nats: NatsHarness, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: nats.url,
    TWOKEY_SUBJECT_PREFIX: nats.prefix,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    PAIRING_HMAC_SECRET: createHash('sha256').update(`twokey-test-${nats.prefix}`).digest('hex'),
    RPC_AUTH_SECRET: TEST_RPC_AUTH_SECRET,
    REPLY_CAPABILITY_SECRET: createHash('sha256').update(`twokey-test-reply-${nats.prefix}`).digest('hex'),
    DENIAL_WINDOW_SECONDS: '1',
    ACK_WAIT_SECONDS: '5',
    EXPIRY_TICK_MS: '200',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

export function testConfig(nats: NatsHarness, overrides: Record<string, string> = {}): PairingServiceConfig {
  return loadPairingConfig(serviceEnv(nats, overrides));
}

/** Every log line the service wrote, to check what it must never write. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly logger = new JsonLogger('pairing-service', 'debug', { write: (line) => void this.lines.push(line) });
  get text(): string {
    return this.lines.join('');
  }
}

export interface RunningService {
  service: PairingService;
  logs: LogCapture;
  fatal: Error[];
  url: string;
}

export async function startService(config: PairingServiceConfig, options: Pick<PairingServiceOptions, 'clock'> = {}): Promise<RunningService> {
  const logs = new LogCapture();
  const fatal: Error[] = [];
  const service = createPairingService(config, { ...options, logger: logs.logger, onFatal: (e) => void fatal.push(e) });
  await service.start();
  return { service, logs, fatal, url: `http://127.0.0.1:${service.port}` };
}

let messageCounter = 0;

export interface MessageSpec {
  connection?: string;
  platform?: InboundMessage['platform'];
  id?: string;
  actor: { id: string; displayName?: string };
  conversation?: InboundMessage['conversation'];
  space?: InboundMessage['space'];
  text: string;
}

/** A valid InboundMessage; a DM with the actor unless a conversation is given. */
export function inbound(spec: MessageSpec): InboundMessage {
  const connection = spec.connection ?? 'telegram';
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    connection,
    platform: spec.platform ?? 'telegram',
    platformMessageId: spec.id ?? `m${++messageCounter}-${randomBytes(3).toString('hex')}`,
    sentAt: now,
    receivedAt: now,
    actor: { id: spec.actor.id, displayName: spec.actor.displayName ?? `User ${spec.actor.id}` },
    conversation: spec.conversation ?? { id: spec.actor.id, kind: 'dm' },
    ...(spec.space ? { space: spec.space } : {}),
    text: spec.text,
  };
}

/**
 * Polls `fn` until it returns a value. A probe that throws is retried too: right after nats-server restarts, a
 * JetStream API request can time out while the server recovers its streams. The last error is reported at the
 * deadline.
 */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${ms} ms${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What a gateway and admin-api do, over NATS only. */
export class NatsClient {
  readonly s: Subjects;
  readonly store: JetStreamEventStore;
  private admittedCollector?: Collected<StoredMessage<AdmittedMessage>>;

  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    prefix: string,
  ) {
    this.s = subjects(prefix);
    this.store = new JetStreamEventStore({ nc, subjects: this.s });
  }

  /** Proves the commands as the admin-api does. */
  readonly proof = new RpcProof(TEST_RPC_AUTH_SECRET);

  static async connect(nats: NatsHarness): Promise<NatsClient> {
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    return new NatsClient(nc, await nc.jetstreamManager(), nats.prefix);
  }

  /** Publishes like a gateway: Nats-Msg-Id = `<connection>:<platformMessageId>`. Returns the inbound sequence. */
  async publish(message: InboundMessage): Promise<number> {
    const ack = await this.nc.jetstream().publish(this.s.inbound(message.connection), JSON.stringify(message), {
      msgID: inboundMessageId(message),
    });
    return ack.seq;
  }

  async rpc<V extends PairingVerb>(verb: V, body: Record<string, unknown>): Promise<PairingReply<V>> {
    return (await rpcRequest(this.nc, this.s.rpcPairing(verb), body, PairingReplySchema(verb), 5_000, this.proof)) as PairingReply<V>;
  }

  /** Like `rpc` for a command that must succeed; returns its result and position. */
  async ok<V extends PairingVerb>(verb: V, body: Record<string, unknown>): Promise<Extract<PairingReply<V>, { ok: true }>> {
    const reply = await this.rpc(verb, { initiator: ADMIN, correlationId: `test-${verb}-${++messageCounter}`, ...body });
    if (!reply.ok) throw new Error(`${verb} failed: ${JSON.stringify(reply.error)}`);
    return reply;
  }

  async events(): Promise<StoredEvent[]> {
    const all: StoredEvent[] = [];
    for await (const e of this.store.readAll(0)) all.push(e);
    return all;
  }

  async waitForEvent<T extends StoredEvent>(what: string, pred: (e: StoredEvent) => e is T, ms?: number): Promise<T>;
  async waitForEvent(what: string, pred: (e: StoredEvent) => boolean, ms?: number): Promise<StoredEvent>;
  async waitForEvent(what: string, pred: (e: StoredEvent) => boolean, ms = 10_000): Promise<StoredEvent> {
    return until(what, async () => (await this.events()).find(pred), ms);
  }

  /** Everything stored on `<prefix>.admitted.>`, from the start of the stream. */
  async admitted(): Promise<Collected<StoredMessage<AdmittedMessage>>> {
    this.admittedCollector ??= await collectStream<AdmittedMessage>(this.nc, this.s.streams.admitted, this.s.admittedAll());
    return this.admittedCollector;
  }

  async close(): Promise<void> {
    await this.admittedCollector?.stop();
    await this.nc.close();
  }
}

/** Narrowing helper for stored events. */
export const isEvent =
  <T extends StoredEvent['type']>(type: T, pred: (e: Extract<StoredEvent, { type: T }>) => boolean = () => true) =>
  (e: StoredEvent): e is Extract<StoredEvent, { type: T }> =>
    e.type === type && pred(e as Extract<StoredEvent, { type: T }>);
