/**
 * The Mattermost WebSocket API client: authentication challenge, `seq` order check, liveness pings and
 * reconnects with exponential backoff + jitter. It knows nothing about messages: events go to `onEvent`, in order.
 *
 * - After connecting we send `{ seq: 1, action: "authentication_challenge", data: { token } }` and expect
 *   `{ status: "OK", seq_reply: 1 }`; a FAIL means the token was rejected (logged as such, then retried with
 *   backoff, since an operator may rotate the token server-side).
 * - Events carry `seq`, 0 for `hello` and +1 per event on one connection. A gap means we missed events: we
 *   reconnect (as the official client does). The event that revealed the gap is still handled: publishing is
 *   idempotent on the post id, so handling it loses nothing and duplicates nothing.
 * - The server does not replay events to a new connection: `onOpen` tells the adapter, which fetches the posts
 *   missed meanwhile over REST (missed-posts.ts).
 */
import WebSocket from 'ws';
import { BackoffOptions, DEFAULT_BACKOFF, reconnectDelay } from './backoff';
import { SocketEvent, SocketReply } from './wire';

export interface SocketLogger {
  debug(msg: string, fields?: unknown): void;
  info(msg: string, fields?: unknown): void;
  warn(msg: string, fields?: unknown): void;
  error(msg: string, fields?: unknown): void;
}

export interface MattermostSocketOptions {
  /** The server's base URL (http/https); the socket is `<base>/api/v4/websocket` over ws/wss. */
  baseUrl: string;
  token: string;
  onEvent: (event: SocketEvent) => Promise<void> | void;
  /** Each time the socket is authenticated (the first connection and every reconnection). */
  onOpen?: () => void;
  /** The server refused the token in the challenge (the adapter asks REST whether the token is really dead). */
  onAuthRejected?: () => void;
  logger: SocketLogger;
  backoff?: BackoffOptions;
  random?: () => number;
  /** A ping every interval; no inbound traffic for a whole interval terminates the socket. */
  pingIntervalMs?: number;
  /** Time allowed from connect to a successful authentication. */
  authTimeoutMs?: number;
}

export type SocketState = 'idle' | 'connecting' | 'open' | 'stopped';

const AUTH_SEQ = 1;

export class MattermostSocket {
  private ws?: WebSocket;
  private state: SocketState = 'idle';
  private attempt = 0;
  private expectedSeq = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private authTimer?: NodeJS.Timeout;
  private alive = false;
  private chain: Promise<void> = Promise.resolve();
  private openWaiters: (() => void)[] = [];
  /** Number of authenticated connections so far (1 after the first, +1 per reconnect). */
  connections = 0;

  constructor(private readonly options: MattermostSocketOptions) {}

  get current(): SocketState {
    return this.state;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /** Resolves when the socket is authenticated (or immediately if it is). */
  whenOpen(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    return new Promise((resolve) => this.openWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.reconnectTimer);
    this.clearConnectionTimers();
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
    await this.chain;
  }

  private socketUrl(): string {
    const url = new URL(this.options.baseUrl.replace(/\/+$/, '') + '/api/v4/websocket');
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  private connect(): void {
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    this.expectedSeq = 0;
    const ws = new WebSocket(this.socketUrl(), { handshakeTimeout: this.options.authTimeoutMs ?? 10_000 });
    this.ws = ws;
    ws.on('open', () => {
      this.alive = true;
      ws.send(JSON.stringify({ seq: AUTH_SEQ, action: 'authentication_challenge', data: { token: this.options.token } }));
      this.authTimer = setTimeout(() => {
        this.options.logger.warn('mattermost websocket: no authentication answer in time; reconnecting');
        ws.terminate();
      }, this.options.authTimeoutMs ?? 10_000);
      this.startPings(ws);
    });
    ws.on('message', (raw) => this.onFrame(ws, raw.toString()));
    ws.on('ping', () => (this.alive = true));
    ws.on('pong', () => (this.alive = true));
    ws.on('error', (e) => this.options.logger.warn('mattermost websocket error', { error: e.message }));
    ws.on('close', (code) => this.onClose(ws, code));
  }

  private onFrame(ws: WebSocket, frame: string): void {
    if (ws !== this.ws) return;
    this.alive = true;
    let value: unknown;
    try {
      value = JSON.parse(frame);
    } catch {
      this.options.logger.warn('mattermost websocket: frame is not JSON; ignored', { bytes: frame.length });
      return;
    }
    const reply = SocketReply.safeParse(value);
    if (reply.success) return this.onReply(ws, reply.data);
    const event = SocketEvent.safeParse(value);
    if (!event.success) {
      this.options.logger.warn('mattermost websocket: frame is neither a reply nor an event; ignored', {
        problem: `${event.error.issues[0]?.path.join('.')} ${event.error.issues[0]?.message}`,
      });
      return;
    }
    const e = event.data;
    const gap = e.seq !== this.expectedSeq;
    if (gap) {
      this.options.logger.warn('mattermost websocket: event sequence gap, events were missed; reconnecting', {
        expectedSeq: this.expectedSeq,
        seq: e.seq,
      });
    }
    this.expectedSeq = e.seq + 1;
    this.enqueue(e);
    if (gap) ws.terminate();
  }

  private onReply(ws: WebSocket, reply: SocketReply): void {
    if (reply.seq_reply !== AUTH_SEQ) return;
    clearTimeout(this.authTimer);
    if (reply.status !== 'OK') {
      this.options.logger.error('mattermost websocket: the server rejected MATTERMOST_TOKEN in the authentication challenge', {
        errorId: reply.error?.id,
      });
      this.options.onAuthRejected?.();
      ws.terminate();
      return;
    }
    this.state = 'open';
    this.attempt = 0;
    this.connections += 1;
    this.options.logger.info('mattermost websocket authenticated', { connections: this.connections });
    this.openWaiters.splice(0).forEach((resolve) => resolve());
    this.options.onOpen?.();
  }

  private enqueue(event: SocketEvent): void {
    // Handled one at a time, in seq order; a failing handler is logged and does not stop the stream.
    this.chain = this.chain.then(async () => {
      try {
        await this.options.onEvent(event);
      } catch (e) {
        this.options.logger.error('mattermost event handler failed', { event: event.event, seq: event.seq, error: (e as Error).message });
      }
    });
  }

  private startPings(ws: WebSocket): void {
    const interval = this.options.pingIntervalMs ?? 30_000;
    this.pingTimer = setInterval(() => {
      if (!this.alive) {
        this.options.logger.warn('mattermost websocket: no traffic for a ping interval; reconnecting');
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, interval);
  }

  private clearConnectionTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.authTimer);
  }

  private onClose(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    this.clearConnectionTimers();
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    const delay = reconnectDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.options.logger.info('mattermost websocket closed; reconnecting', { code, attempt: this.attempt, delayMs: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
