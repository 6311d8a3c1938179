/**
 * End-to-end rig for a gateway: a private NATS, the real pairing-service (created by the test, which may import
 * the app; this lib may not), and the gateway under test. Gives the admin probe (commands, events) and every
 * AdmittedMessage of the connection.
 */
import { connect, NatsConnection } from 'nats';
import { AdmittedMessage, Platform, StoredEvent, TokenPurpose } from '@twokey/contracts';
import type { PlatformAdapter } from '@twokey/gateway-kit';
import { JsonLogger } from '@twokey/service-kit';
import { GatewayUnderTest, startGatewayUnderTest } from './gateway-harness';
import { NatsHarness, startNats } from './nats-harness';
import { PairingProbe, pairingTestConfig } from './pairing-probe';
import { Collected, collectStream, StoredMessage } from './stream-collector';

export interface PairingServiceLike {
  start(): Promise<void>;
  stop(): Promise<void>;
}

type EventOf<T extends StoredEvent['type']> = Extract<StoredEvent, { type: T }>;
export type MessageDeniedEvent = EventOf<'MessageDenied'>;
export type TokenObservedEvent = EventOf<'TokenObserved'>;

export interface PairingEndToEnd {
  nats: NatsHarness;
  gw: GatewayUnderTest;
  probe: PairingProbe;
  admitted: Collected<StoredMessage<AdmittedMessage>>;
  /** Errors the pairing-service reported as fatal (should stay empty). */
  fatal: Error[];
  /** The connection's MessageDenied event matching `pred`, once the pairing-service has stored it. */
  denied(pred: (e: MessageDeniedEvent) => boolean): Promise<MessageDeniedEvent>;
  /**
   * The pairing ceremony as an operator and a user perform it: issues a `purpose` token, lets `sendCode` post the
   * code on the platform, waits for the TokenObserved event matching `observation`, approves it and returns it.
   */
  pair(purpose: TokenPurpose, sendCode: (code: string) => unknown, observation: (e: TokenObservedEvent) => boolean): Promise<TokenObservedEvent>;
  stop(): Promise<void>;
}

/** Matches the AdmittedMessage of one platform message. */
export const admittedWithId =
  (platformMessageId: string) =>
  (m: StoredMessage<AdmittedMessage>): boolean =>
    m.data.message.platformMessageId === platformMessageId;

/** Matches a denial (or any event with a conversation) in one conversation. */
export const inConversation =
  (id: string) =>
  (e: { data: { conversation: { id: string } } }): boolean =>
    e.data.conversation.id === id;

export async function startPairingEndToEnd(options: {
  platform: Platform;
  /** Built once NATS is up: the fake's URL is known by then. */
  adapter: () => PlatformAdapter;
  createPairingService: (
    config: ReturnType<typeof pairingTestConfig>,
    o: { logger: JsonLogger; onFatal: (e: Error) => void },
  ) => PairingServiceLike;
  logger?: JsonLogger;
}): Promise<PairingEndToEnd> {
  const quiet = options.logger ?? new JsonLogger('e2e', 'error', { write: () => undefined });
  const nats = await startNats();
  const fatal: Error[] = [];
  const pairing = options.createPairingService(pairingTestConfig(nats), { logger: quiet, onFatal: (e) => void fatal.push(e) });
  let nc: NatsConnection | undefined;
  let gw: GatewayUnderTest | undefined;
  try {
    await pairing.start();
    gw = await startGatewayUnderTest({ nats, platform: options.platform, adapter: options.adapter(), logger: quiet });
    nc = await connect({ servers: nats.url });
    const s = gw.subjects;
    const admitted = await collectStream<AdmittedMessage>(nc, s.streams.admitted, s.admitted(gw.connection));
    const running = gw;
    const conn = nc;
    const probe = new PairingProbe(conn, nats.prefix);
    const connection = running.connection;
    return {
      nats,
      gw: running,
      probe,
      admitted,
      fatal,
      denied: (pred) => probe.waitForEvent(connection, 'MessageDenied', pred),
      async pair(purpose, sendCode, observation) {
        const { code } = await probe.issueToken(connection, purpose);
        await sendCode(code);
        const observed = await probe.waitForEvent(connection, 'TokenObserved', observation);
        await probe.approve(connection, observed.data.observationId);
        return observed;
      },
      async stop() {
        await admitted.stop();
        await running.stop();
        await pairing.stop();
        await conn.close();
        await nats.dispose();
      },
    };
  } catch (e) {
    await gw?.stop().catch(() => undefined);
    await pairing.stop().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await nats.dispose();
    throw e;
  }
}
