/**
 * End-to-end rig for a gateway: a private NATS, the real pairing-service (created by the test, which may import
 * the app; this lib may not), and the gateway under test. Gives the admin probe (commands, events) and every
 * AdmittedMessage of the connection.
 */
import { connect, NatsConnection } from 'nats';
import { AdmittedMessage, Platform } from '@twokey/contracts';
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

export interface PairingEndToEnd {
  nats: NatsHarness;
  gw: GatewayUnderTest;
  probe: PairingProbe;
  admitted: Collected<StoredMessage<AdmittedMessage>>;
  /** Errors the pairing-service reported as fatal (should stay empty). */
  fatal: Error[];
  stop(): Promise<void>;
}

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
    return {
      nats,
      gw: running,
      probe: new PairingProbe(conn, nats.prefix),
      admitted,
      fatal,
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
