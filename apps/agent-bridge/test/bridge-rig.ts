/**
 * The agent bridge in process against a private NATS, with the scripted ACP agent (or a webhook) behind it.
 * Admitted messages are published as the pairing-service would; replies are read back from the outbound stream.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, NatsConnection } from 'nats';
import { AdmittedMessage, OutboundCommand, OutboundCommandSchema, subjects, Subjects } from '@twokey/contracts';
import { ensureStreams } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { SCRIPTED_AGENT_JS } from '@twokey/test-support/fakes/acp';
import { Collected, collectStream, StoredMessage } from '@twokey/test-support/stream-collector';
import { AgentBridge, createAgentBridge } from '../src/agent-bridge';
import { loadAgentBridgeConfig } from '../src/config';

export const quiet = new JsonLogger('test', 'error', { write: () => undefined });

export interface BridgeRig {
  nats: NatsHarness;
  nc: NatsConnection;
  s: Subjects;
  bridge: AgentBridge;
  outbound: Collected<StoredMessage<OutboundCommand>>;
  workdir: string;
  /** Publishes an AdmittedMessage on `<prefix>.admitted.<connection>`. */
  admit(m: AdmittedMessage): Promise<void>;
  /** Replies (send-message and final edits) to a conversation, as text, in order. */
  texts(conversationId: string): string[];
  startBridge(env?: Record<string, string>): Promise<AgentBridge>;
  stop(): Promise<void>;
}

let n = 0;

/** An admitted DM from `actorId` (connection `telegram`), as the pairing-service publishes it. */
export function admitted(text: string, o: { actorId?: string; conversationId?: string; admittedAt?: Date; kind?: 'dm' | 'group'; mentioned?: boolean } = {}): AdmittedMessage {
  const actorId = o.actorId ?? '1001';
  const at = (o.admittedAt ?? new Date()).toISOString();
  const shared = o.kind === 'group';
  return {
    schemaVersion: 1,
    connection: 'telegram',
    platform: 'telegram',
    admittedAt: at,
    message: {
      schemaVersion: 1,
      connection: 'telegram',
      platform: 'telegram',
      platformMessageId: `m-${process.pid}-${++n}-${Date.now()}`,
      sentAt: at,
      receivedAt: at,
      actor: { id: actorId, displayName: `user ${actorId}` },
      conversation: { id: o.conversationId ?? actorId, kind: shared ? 'group' : 'dm' },
      space: shared ? { id: o.conversationId ?? 'g1', kind: 'telegram-group' } : undefined,
      text,
      mentionedBot: o.mentioned,
    },
  };
}

export function textOf(c: OutboundCommand): string | undefined {
  return c.type === 'chat-action' ? undefined : c.text;
}

export async function startBridgeRig(env: Record<string, string> = {}): Promise<BridgeRig> {
  const nats = await startNats();
  const s = subjects(nats.prefix);
  const nc = await connect({ servers: nats.url });
  await ensureStreams(await nc.jetstreamManager(), s);
  const outbound = await collectStream<OutboundCommand>(nc, s.streams.outbound, s.outboundAll());
  const workdir = mkdtempSync(path.join(tmpdir(), 'twokey-agent-work-'));
  let bridge: AgentBridge | undefined;
  const rig: BridgeRig = {
    nats,
    nc,
    s,
    get bridge() {
      return bridge!;
    },
    outbound,
    workdir,
    async admit(m) {
      await nc.jetstream().publish(s.admitted(m.connection), JSON.stringify(m), { msgID: `${m.connection}:${m.message.platformMessageId}` });
    },
    texts(conversationId) {
      return outbound.items
        .map((i) => OutboundCommandSchema.parse(i.data))
        .filter((c) => c.conversationId === conversationId && c.type !== 'chat-action' && (c.type !== 'edit-message' || c.final))
        .map((c) => textOf(c)!);
    },
    async startBridge(extra = {}) {
      const config = loadAgentBridgeConfig({
        NATS_URL: nats.url,
        TWOKEY_SUBJECT_PREFIX: nats.prefix,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        AGENT_COMMAND: `${process.execPath} ${SCRIPTED_AGENT_JS}`,
        AGENT_WORKDIR: workdir,
        LOG_LEVEL: 'error',
        ...env,
        ...extra,
      });
      bridge = createAgentBridge(config, { logger: quiet, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, ...extra } });
      await bridge.start();
      return bridge;
    },
    async stop() {
      await bridge?.stop();
      await outbound.stop();
      await nc.close();
      await nats.dispose();
    },
  };
  await rig.startBridge();
  return rig;
}
