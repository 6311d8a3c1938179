/**
 * The one narrow interface a platform module implements (modelled on grammY's ReqResHandler): the kit owns
 * NATS, config, health, metrics and the HTTP server; an adapter only maps SDK events to InboundMessage and
 * SendMessage to SDK calls. An adapter never replies to anything on its own.
 */
import type { ConnectionTestResult, InboundMessage, Platform, SendMessage } from '@twokey/contracts';
import type { IncomingMessage, ServerResponse } from 'node:http';

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
  /** Deliver an outbound SendMessage through the platform SDK. Throws on failure (the kit retries / naks). */
  send(message: SendMessage): Promise<void>;
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
}

export interface AdapterProblem {
  reason: string;
  halted: boolean;
}
