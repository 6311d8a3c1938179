/**
 * The one narrow interface a platform module implements (modelled on grammY's ReqResHandler): the kit owns
 * NATS, config, health, metrics and the HTTP server; an adapter only maps SDK events to InboundMessage and
 * SendMessage to SDK calls. An adapter never replies to anything on its own.
 */
import type { CapabilityProfile, ConnectionTestResult, InboundMessage, Platform } from '@twokey/contracts';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where a reply goes: a conversation the reply capability was checked for. */
export interface OutboundTarget {
  conversationId: string;
  threadId?: string;
}

export interface OutboundChunk extends OutboundTarget {
  text: string;
  /** In the profile's dialect (use its parse mode / markup); false: plain text. */
  formatted: boolean;
  /** Only on the first chunk. */
  replyToMessageId?: string;
  /** `<idempotencyKey>:<index>`: stable across redeliveries, for platforms that deduplicate sends (Feishu uuid). */
  chunkKey: string;
}

export interface OutboundEdit extends OutboundTarget {
  messageId: string;
  text: string;
  formatted: boolean;
}

export interface InboundSink {
  /** Validates and publishes (Nats-Msg-Id = `<connection>:<platformMessageId>`); buffers while NATS is away. */
  publish(message: InboundMessage): Promise<void>;
  /** Something arrived that cannot become an InboundMessage: logged and sent to the gateway's DLQ subject. */
  reject(reason: string, details?: Record<string, unknown>): void;
}

/** A webhook route the kit mounts on its HTTP server (exact path match). The raw body is kept for signatures. */
export interface WebhookRoute {
  method: 'POST';
  path: string;
  /**
   * The header every genuine request carries (its signature or secret token): a request without it is refused with
   * 401 before its body is read (L5).
   */
  requiredHeader?: string;
  /** The largest body the platform really sends (default MAX_WEBHOOK_BODY_BYTES); larger → 413 as soon as seen. */
  maxBodyBytes?: number | ((req: IncomingMessage) => number);
  handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> | void;
}

export interface PlatformAdapter {
  readonly platform: Platform;
  /** Begin receiving (long polling, gateway websocket, socket mode …) and hand each message to `sink`. */
  start(sink: InboundSink): Promise<void>;
  stop(): Promise<void>;
  /** What replies can do here (declared once beside the adapter; reported in the status RPC). */
  readonly profile: CapabilityProfile;
  /**
   * Sends one chunk (already rendered and split to the profile) and returns the platform message id it created.
   * Throws RateLimited (429), FormattingRejected, MessageTooLong or PermanentSendError where the platform says so;
   * anything else is treated as transient. The kit has checked the reply capability before calling.
   */
  send(chunk: OutboundChunk): Promise<string>;
  /**
   * Platforms that take several messages per request (LINE: 5 per push or reply) send up to `chunksPerRequest`
   * chunks at once, spending one write of the budget; returns one id per message created.
   */
  sendBatch?(chunks: OutboundChunk[]): Promise<string[]>;
  readonly chunksPerRequest?: number;
  /** Replaces the text of a message this adapter sent; absent where the platform has no edits (profile.edits false). */
  edit?(edit: OutboundEdit): Promise<void>;
  /**
   * Shows "working…" once; the kit refreshes it while a turn runs when profile.typing is `refreshed`. Resolves false
   * where the platform shows nothing in this kind of conversation (LINE: groups), so the report can say so.
   */
  typing?(target: OutboundTarget): Promise<boolean | void>;
  /** Checks the credentials against the platform: the bot's identity on success, a clear error otherwise. */
  connectionTest(): Promise<ConnectionTestResult>;
  /** Webhook routes, for platforms or modes that receive over HTTP. */
  webhooks?(): WebhookRoute[];
  /**
   * Whether the connection the adapter keeps to its platform is up right now (e.g. its websocket is open and
   * authenticated), so a status request can tell a gateway that started but has since lost its platform. Adapters
   * that receive over webhooks, or cannot tell, leave it out: started then means receiving.
   */
  receiving?(): boolean;
  /**
   * Why the adapter is not receiving right now, in words without secrets ("Discord closed the gateway: disallowed
   * intents (4014)"), and whether it gave up: `halted` when retrying cannot help, so it stopped reconnecting until
   * it is stopped and started again (a Reconnect, or a restart with a new configuration). Undefined while all is well.
   */
  problem?(): AdapterProblem | undefined;
  /**
   * The title of a space whose messages carry none (LINE group summary, Feishu chat info, Mattermost team name),
   * cached by the adapter, failures too; undefined when the platform would not say. Never called on the inbound
   * path: only the `space-title` RPC asks, when an admin looks (after the decision), so a denied stranger costs no call.
   */
  spaceTitle?(spaceId: string): Promise<string | undefined>;
}

export interface AdapterProblem {
  reason: string;
  halted: boolean;
}
