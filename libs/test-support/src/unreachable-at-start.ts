/**
 * Issue 20 P1 as a scenario every gateway's test plays: the platform is unreachable when the gateway starts (the
 * FaultProxy in front of its fake resets every connection), then comes back. What the gateway showed on the way
 * is returned for the test to judge: each failed attempt's log entry, the status and the connection test while
 * down, and the same once the platform is back.
 */
import type { ConnectionTestResult, GatewayStatus } from '@twokey/contracts';
import type { FaultProxy } from './fault-proxy';
import { CapturingLogger, GatewayUnderTest, until, untilAsync } from './gateway-harness';

export interface UnreachableAtStart {
  failedAttempts: Record<string, unknown>[];
  whileDown: { status: GatewayStatus; connectionTest: ConnectionTestResult; readyz: number };
  afterBack: { status: GatewayStatus; connectionTest: ConnectionTestResult; readyz: number };
  /** Every log line of the run, to look for secrets. */
  logText: string;
}

const FAILED_START = /adapter failed to start; retrying/;

export async function playUnreachableAtStart(o: {
  start: () => Promise<GatewayUnderTest>;
  proxy: FaultProxy;
  logger: CapturingLogger;
  /** How many failed attempts to see logged before the platform comes back (default 2). */
  attempts?: number;
}): Promise<UnreachableAtStart & { gw: GatewayUnderTest }> {
  const gw = await o.start();
  const attempts = o.attempts ?? 2;
  await until(() => o.logger.find('error', FAILED_START).length >= attempts, 15_000);
  const readyz = async () => (await fetch(`${gw.httpUrl}/readyz`)).status;
  const whileDown = { status: await gw.status(), connectionTest: await gw.connectionTest(), readyz: await readyz() };
  o.proxy.bringUp();
  const status = await untilAsync(async () => {
    const s = await gw.status();
    return s.receiving ? s : undefined;
  }, 20_000, 'receiving after the platform came back').catch(async (e: Error) => {
    // Say what the gateway last said, or the failure is a bare timeout.
    const last = JSON.stringify(await gw.status().catch(() => undefined));
    await gw.stop();
    throw new Error(`${e.message}; last status ${last}; last log lines:\n${o.logger.lines.slice(-8).join('\n')}`);
  });
  const afterBack = { status, connectionTest: await gw.connectionTest(), readyz: await readyz() };
  return { gw, failedAttempts: o.logger.find('error', FAILED_START), whileDown, afterBack, logText: o.logger.lines.join('\n') };
}

/**
 * What P1 (issue 20) asks of every gateway after `playUnreachableAtStart`: each failed attempt logged and retried
 * within 30 s, not receiving (with a reason) and a failing connection test and /readyz while the platform is down,
 * receiving and a passing connection test once it is back. The caller adds its own check that no secret was logged.
 */
export function expectP1Recovery(run: UnreachableAtStart, reason: unknown = expect.any(String)): void {
  expect(run.failedAttempts.map((e) => e.attempt)).toEqual(expect.arrayContaining([1, 2]));
  for (const e of run.failedAttempts) expect(e.retryInMs).toBeLessThanOrEqual(30_000);
  expect(run.whileDown.status).toMatchObject({ receiving: false, halted: false, reason });
  expect(run.whileDown.connectionTest.ok).toBe(false);
  expect(run.whileDown.readyz).toBe(503);
  expect(run.afterBack.status).toMatchObject({ receiving: true });
  expect(run.afterBack.connectionTest).toMatchObject({ ok: true });
}
