/**
 * H1's probe: everything a gateway says about a failing platform — the connection-test answer, `/readyz`, the status
 * answer, its logs and its dead letters — gathered after one outbound send, so a test can show that none of it
 * quotes a secret.
 */
import { GatewayStatus, GatewayStatusRequest } from '@twokey/contracts';
import { rpcRequest } from '@twokey/messaging';
import type { CapturingLogger, GatewayUnderTest } from './gateway-harness';
import { until } from './gateway-harness';

export interface SecretSurfaces {
  connectionTest: string;
  readyz: string;
  status: string;
  logs: string;
  deadLetters: string;
  /** All of the above, one text. */
  all: string;
}

/**
 * Sends one outbound message to `conversationId` and waits until the gateway logged its failure (a retry, or the
 * dead letter), then collects every surface.
 */
export async function probeSecretSurfaces(gw: GatewayUnderTest, logger: CapturingLogger, conversationId: string): Promise<SecretSurfaces> {
  const connectionTest = JSON.stringify(await gw.connectionTest());
  const before = logger.lines.length;
  await gw.sendOutbound({ conversationId, text: 'probe' });
  await until(() => logger.lines.slice(before).some((l) => /(SendMessage|send-message) (failed|not delivered)/.test(l)), 20_000);
  const readyz = await (await fetch(`${gw.httpUrl}/readyz`)).text();
  const status = JSON.stringify(
    await rpcRequest(gw.nc, gw.subjects.rpcGateway(gw.connection, 'status'), GatewayStatusRequest.parse({}), GatewayStatus, 5_000),
  );
  const logs = logger.lines.join('\n');
  const deadLetters = JSON.stringify(gw.dlq.items);
  return { connectionTest, readyz, status, logs, deadLetters, all: [connectionTest, readyz, status, logs, deadLetters].join('\n') };
}

/** The parts of `text` that quote one of `secrets` (empty when none does), for a readable failure. */
export function quotedSecrets(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
}
