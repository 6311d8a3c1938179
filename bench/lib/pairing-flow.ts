/**
 * The admin's own pairing, end to end through the real processes: a code from the admin-api, the user's DM with
 * it on the inbound stream (as a gateway publishes it), the observation in the admin-api, the approval, and the
 * user's next message arriving as an AdmittedMessage.
 */
import { inboundMessageId, type AdmittedMessage, type InboundMessage } from '@twokey/contracts';
import type { BenchNats } from './nats';
import { adminFetch } from './services';
import { nowMs, sleep } from './stats';

export interface PairingResult {
  ok: boolean;
  ms: number;
  /** Where it stopped when it did not complete. */
  stage: string;
}

function dm(userId: string, id: string, text: string): InboundMessage {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    connection: 'telegram',
    platform: 'telegram',
    platformMessageId: id,
    sentAt: now,
    receivedAt: now,
    actor: { id: userId, displayName: 'The Admin', username: 'admin' },
    conversation: { id: userId, kind: 'dm' },
    text,
  };
}

async function json<T>(res: Response): Promise<T> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${body}`);
  return JSON.parse(body) as T;
}

export async function pairThroughAdminApi(nats: BenchNats, adminUrl: string, timeoutMs: number): Promise<PairingResult> {
  const t0 = nowMs();
  const deadline = Date.now() + timeoutMs;
  const userId = `admin-${Date.now()}`;
  let stage = 'issue a code';
  const admitted = nats.nc.subscribe(nats.s.admitted('telegram'));
  try {
    const issued = await json<{ code: string }>(await adminFetch(`${adminUrl}/api/v1/connections/telegram/pairing-tokens`, { method: 'POST', body: JSON.stringify({ purpose: 'user' }) }));
    stage = 'send the code';
    const first = dm(userId, `${userId}-1`, `/start ${issued.code}`);
    await nats.js.publish(nats.s.inbound('telegram'), JSON.stringify(first), { msgID: inboundMessageId(first) });
    stage = 'see the observation';
    let observationId: string | undefined;
    while (!observationId) {
      if (Date.now() > deadline) return { ok: false, ms: nowMs() - t0, stage };
      const pairing = await json<{ observations: { observationId: string; actor: { id: string } }[] }>(await adminFetch(`${adminUrl}/api/v1/connections/telegram/pairing`));
      observationId = pairing.observations.find((o) => o.actor.id === userId)?.observationId;
      if (!observationId) await sleep(100);
    }
    stage = 'approve';
    await json(await adminFetch(`${adminUrl}/api/v1/connections/telegram/observations/${observationId}/approve`, { method: 'POST' }));
    stage = 'get a message through';
    const second = dm(userId, `${userId}-2`, 'hello agent, I am in');
    await nats.js.publish(nats.s.inbound('telegram'), JSON.stringify(second), { msgID: inboundMessageId(second) });
    const through = new Promise<boolean>((resolve) => {
      void (async () => {
        for await (const m of admitted) {
          if ((m.json<AdmittedMessage>()).message.actor.id === userId) return resolve(true);
        }
        resolve(false);
      })();
    });
    const timer = sleep(Math.max(0, deadline - Date.now())).then(() => false);
    const ok = await Promise.race([through, timer]);
    return { ok, ms: nowMs() - t0, stage: ok ? 'done' : stage };
  } catch (e) {
    return { ok: false, ms: nowMs() - t0, stage: `${stage}: ${(e as Error).message.slice(0, 120)}` };
  } finally {
    admitted.unsubscribe();
  }
}
