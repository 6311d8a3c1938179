/**
 * 7. Agent bridge: the bridge in this process (the service's own classes, real NATS), the scripted ACP agent as a
 * child process, 100 concurrent sessions (quick: 50) each sending prompts one after another. Measured: from an
 * AdmittedMessage stored (its publish acked) to its session/prompt sent to the agent, and from the agent's first
 * chunk to the SendMessage published (the gateway's profile, answered here, says it can edit, so the answer's
 * first message goes out as soon as it starts). Memory per idle session: the growth of the bridge's heap and of the
 * agent's RSS over the sessions opened, divided by their number (info).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { AdmittedMessage } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { createAgentBridge } from '../apps/agent-bridge/src/agent-bridge';
import type { AcpBackend } from '../apps/agent-bridge/src/agent/acp-backend';
import { loadAgentBridgeConfig } from '../apps/agent-bridge/src/config';
import { messageToken } from '../apps/agent-bridge/src/bridge/session-store';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { startBenchNats } from './lib/nats';
import { nowMs, summarize, waitUntil } from './lib/stats';
import type { Row } from './lib/table';

const SCRIPTED_AGENT_JS = path.resolve(__dirname, '../libs/test-support/src/fakes/acp/scripted-agent.js');

/** A full GC before each heap reading, so the per-session figure is what the sessions keep, not garbage. */
function collect(): void {
  v8.setFlagsFromString('--expose_gc');
  (vm.runInNewContext('gc') as () => void)();
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

function admitted(session: number, n: number): AdmittedMessage {
  const at = new Date().toISOString();
  const id = `u${session}`;
  return {
    schemaVersion: 1,
    connection: 'telegram',
    platform: 'telegram',
    admittedAt: at,
    message: {
      schemaVersion: 1, connection: 'telegram', platform: 'telegram', platformMessageId: `${id}-${n}`, sentAt: at, receivedAt: at,
      actor: { id, displayName: id }, conversation: { id, kind: 'dm' }, text: `prompt ${n} of ${id}`,
    },
  };
}

export const agentBench: Bench = {
  id: '8',
  title: 'agent bridge',
  async run(ctx: BenchContext): Promise<Row[]> {
    const sessions = ctx.quick ? 50 : 100;
    const rounds = ctx.quick ? 3 : 5;
    const nats = await startBenchNats();
    // The gateway's status with a capability profile that allows edits: the answer starts at its first chunk.
    const statusSub = nats.nc.subscribe(nats.s.rpcGateway('telegram', 'status'), {
      callback: (_e, m) => m.respond(JSON.stringify({ connection: 'telegram', platform: 'telegram', adapterStarted: true, since: new Date().toISOString(), bufferSize: 0, profile: { edits: true, typing: false } })),
    });
    const bridge = createAgentBridge(
      loadAgentBridgeConfig({
        NATS_URL: nats.url, TWOKEY_SUBJECT_PREFIX: nats.prefix, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'error',
        AGENT_COMMAND: `${process.execPath} ${SCRIPTED_AGENT_JS}`, AGENT_WORKDIR: process.cwd(), EDIT_INTERVAL_MS: '100',
      }),
      { logger: new JsonLogger('bench', 'error', { write: () => undefined }) },
    );
    try {
      await bridge.start();
      const parts = bridge.parts!;
      const stored = new Map<string, number>();
      const promptOverhead: number[] = [];
      const firstChunk = new Map<string, number>();
      const chunkToSend: number[] = [];
      const answered = new Map<string, () => void>();
      // A session's first prompt waits for session/new (the agent's work, timed separately): steady state is the row.
      const firstPrompt: number[] = [];
      parts.bridge!.onPromptSent = (m) => {
        const t0 = stored.get(m.message.platformMessageId);
        if (t0 === undefined) return;
        (m.message.platformMessageId.endsWith('-1') ? firstPrompt : promptOverhead).push(nowMs() - t0);
      };
      parts.runner!.observer = { firstChunk: (keyBase) => firstChunk.set(keyBase, nowMs()) };
      parts.replier.onPublished = (c) => {
        if (c.command === 'send-message' && c.idempotencyKey.endsWith('.answer')) {
          const keyBase = c.idempotencyKey.slice(0, -'.answer'.length);
          const t = firstChunk.get(keyBase);
          if (t !== undefined) chunkToSend.push(nowMs() - t);
        }
        if (c.final) answered.get(c.idempotencyKey.split('.')[1])?.();
      };
      const send = async (session: number, n: number) => {
        const m = admitted(session, n);
        const token = messageToken(m.connection, m.message.platformMessageId);
        const done = new Promise<void>((r) => answered.set(token, r));
        await nats.js.publish(nats.s.admitted('telegram'), JSON.stringify(m), { msgID: `telegram:${m.message.platformMessageId}` });
        stored.set(m.message.platformMessageId, nowMs());
        await done;
        answered.delete(token);
      };
      // One warm-up turn starts the agent process (its start is not the bridge's overhead).
      await send(-1, 0);
      const backend = parts.backend as AcpBackend;
      const pid = (await backend.pidOf([process.execPath, SCRIPTED_AGENT_JS]))!;
      collect();
      const heap0 = process.memoryUsage().heapUsed;
      const rss0 = rssKb(pid);
      promptOverhead.length = 0;
      chunkToSend.length = 0;
      ctx.log(`agent bridge: ${sessions} sessions × ${rounds} prompts`);
      await Promise.all(Array.from({ length: sessions }, async (_, s) => {
        for (let n = 1; n <= rounds; n++) await send(s, n);
      }));
      await waitUntil('idle bridge', () => parts.bridge!.snapshot().runningTurns === 0, 10_000);
      collect();
      const heapPerSession = (process.memoryUsage().heapUsed - heap0) / sessions / 1024;
      const agentPerSession = (rssKb(pid) - rss0) / sessions;
      const a = summarize(promptOverhead);
      const b = summarize(chunkToSend);
      return [
        {
          name: '8. agent bridge: AdmittedMessage stored → session/prompt sent',
          target: 'p99 ≤ 5 ms',
          measured: Number(a.p99.toFixed(2)),
          unit: 'ms',
          verdict: verdict(a.p99 <= 5),
          note: `p50 ${a.p50.toFixed(2)} ms, ${a.count} prompts in open sessions, ${sessions} concurrent sessions (scripted ACP agent); a session's first prompt, with session/new: p99 ${summarize(firstPrompt).p99.toFixed(1)} ms`,
        },
        {
          name: '8. agent bridge: first agent chunk → SendMessage published',
          target: 'p99 ≤ 50 ms',
          measured: Number(b.p99.toFixed(2)),
          unit: 'ms',
          verdict: verdict(b.p99 <= 50),
          note: `p50 ${b.p50.toFixed(2)} ms, ${b.count} answers (gateway profile: edits)`,
        },
        {
          name: '8. agent bridge: memory per idle session (info)',
          target: 'reported',
          measured: `${heapPerSession.toFixed(1)} KB bridge heap + ${agentPerSession.toFixed(1)} KB agent RSS`,
          verdict: 'info',
        },
      ];
    } finally {
      statusSub.unsubscribe();
      await bridge.stop();
      await nats.close();
    }
  },
};
