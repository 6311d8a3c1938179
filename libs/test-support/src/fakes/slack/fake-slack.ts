/**
 * A local Slack: the Web API under `/api/<method>` (auth.test, users.info, chat.postMessage,
 * apps.connections.open) answering `{ ok, … }` / `{ ok: false, error }` as Slack does, and a Socket Mode websocket
 * (hello, `events_api` envelopes, acks by envelope_id). Bolt is pointed at it with
 * `clientOptions.slackApiUrl`. Every Web API call lands in the call log; `signedEventRequest` plays Slack's
 * Events API against a gateway's HTTP endpoint.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { CallLog, FakeRequest, FakeResponse, RecordedCall, RecordingHttpServer } from '../http-recorder';

export interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  display_name?: string;
  is_bot?: boolean;
}

export interface FakeSlackOptions {
  botToken: string;
  appToken?: string;
  teamId?: string;
  enterpriseId?: string;
  bot?: { userId?: string; botId?: string; name?: string };
  users?: SlackUser[];
}

/** Web API methods by which a bot makes something visible to a user. */
export const SLACK_USER_FACING_METHODS = new Set([
  'chat.postMessage', 'chat.postEphemeral', 'chat.update', 'chat.delete', 'chat.meMessage', 'chat.scheduleMessage',
  'reactions.add', 'reactions.remove', 'files.upload', 'files.uploadV2', 'files.completeUploadExternal',
  'conversations.mark', 'views.open', 'views.publish', 'assistant.threads.setStatus',
]);

const ok = (body: Record<string, unknown>): FakeResponse => ({ status: 200, body: { ok: true, ...body } });
const fail = (error: string): FakeResponse => ({ status: 200, body: { ok: false, error } });

export interface Envelope {
  envelope_id: string;
  payload: unknown;
  type: 'events_api';
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
}

export class FakeSlack {
  readonly teamId: string;
  readonly bot: { userId: string; botId: string; name: string };
  /** Acks received over Socket Mode, by envelope_id. */
  readonly acks: string[] = [];
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly users = new Map<string, SlackUser>();
  private pinger?: NodeJS.Timeout;
  private tsCounter = 0;

  private constructor(
    private readonly http: RecordingHttpServer,
    private readonly options: FakeSlackOptions,
  ) {
    this.teamId = options.teamId ?? 'T0FAKE0001';
    this.bot = { userId: 'U0BOT00001', botId: 'B0BOT00001', name: 'twokey', ...options.bot };
    for (const u of options.users ?? []) this.users.set(u.id, u);
    this.wss = new WebSocketServer({ server: http.server, path: '/socket-mode' });
    this.wss.on('connection', (ws) => this.onSocket(ws));
    // Slack pings Socket Mode clients; @slack/socket-mode reconnects when it hears none for 30 s.
    this.pinger = setInterval(() => this.sockets.forEach((ws) => ws.ping()), 5_000);
    this.pinger.unref();
  }

  static async start(options: FakeSlackOptions): Promise<FakeSlack> {
    // Routes are built before the instance exists; they reach it through this holder.
    const ref: { self?: FakeSlack } = {};
    const http = await RecordingHttpServer.start({
      recordHeaders: ['authorization', 'content-type'],
      routes: [
        { method: 'POST', pattern: '/api/:method', handle: (r) => ref.self!.handle(r) },
        { method: 'GET', pattern: '/api/:method', handle: (r) => ref.self!.handle(r) },
      ],
      notFound: () => ({ status: 404, body: { ok: false, error: 'unknown_method' } }),
    });
    ref.self = new FakeSlack(http, options);
    return ref.self;
  }

  /** `clientOptions.slackApiUrl` for Bolt / WebClient (with the trailing slash the SDK expects). */
  get apiUrl(): string {
    return `${this.http.url}/api/`;
  }

  get log(): CallLog {
    return this.http.log;
  }

  /** The parameters of every call of one Web API method (form or JSON body, plus query). */
  calls(method: string): Record<string, unknown>[] {
    return this.log.filter((c) => c.path === `/api/${method}`).map(paramsOf);
  }

  userFacingCalls(): RecordedCall[] {
    return this.log.filter((c) => SLACK_USER_FACING_METHODS.has(c.path.replace('/api/', '')));
  }

  addUser(u: SlackUser): void {
    this.users.set(u.id, u);
  }

  async waitForSockets(count = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size < count) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} Socket Mode connections`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends an Events API payload over every Socket Mode connection, as an envelope; returns the envelope. */
  sendSocketEvent(payload: unknown, retry: { attempt?: number; reason?: string } = {}): Envelope {
    const envelope: Envelope = {
      envelope_id: randomUUID(),
      payload,
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: retry.attempt ?? 0,
      retry_reason: retry.reason ?? '',
    };
    for (const ws of this.sockets) ws.send(JSON.stringify(envelope));
    return envelope;
  }

  async waitForAck(envelopeId: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.acks.includes(envelopeId)) {
      if (Date.now() > deadline) throw new Error(`envelope ${envelopeId} was not acknowledged`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A message `ts` as Slack makes them: unique, seconds with six decimals. */
  nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.tsCounter).padStart(6, '0')}`;
  }

  /**
   * While true, every new Socket Mode connection is closed at once (as during an outage on Slack's side): with
   * `dropSockets`, the client stays disconnected until it is set back.
   */
  refuseSockets = false;

  /** Closes every Socket Mode connection (the client must reconnect). */
  dropSockets(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.http.close();
  }

  private handle(req: FakeRequest): FakeResponse {
    const method = req.params.method;
    const params = paramsOf({ body: req.body, query: req.query } as RecordedCall);
    const bearer = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? (params.token as string | undefined);
    if (method === 'apps.connections.open') {
      if (!bearer || bearer !== this.options.appToken) return fail('invalid_auth');
      const port = (this.http.server.address() as AddressInfo).port;
      return ok({ url: `ws://127.0.0.1:${port}/socket-mode?ticket=${randomUUID()}` });
    }
    if (bearer !== this.options.botToken) return fail(bearer ? 'invalid_auth' : 'not_authed');
    switch (method) {
      case 'auth.test':
        return ok({
          url: `https://fake-${this.teamId.toLowerCase()}.slack.com/`,
          team: 'Fake Workspace',
          user: this.bot.name,
          team_id: this.teamId,
          user_id: this.bot.userId,
          bot_id: this.bot.botId,
          ...(this.options.enterpriseId ? { enterprise_id: this.options.enterpriseId } : {}),
          is_enterprise_install: false,
        });
      case 'users.info': {
        const u = this.users.get(String(params.user ?? ''));
        if (!u) return fail('user_not_found');
        return ok({
          user: {
            id: u.id,
            team_id: this.teamId,
            name: u.name,
            real_name: u.real_name ?? u.name,
            is_bot: u.is_bot ?? false,
            profile: { display_name: u.display_name ?? '', real_name: u.real_name ?? u.name },
          },
        });
      }
      case 'chat.postMessage': {
        if (this.rateLimits.length) return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(this.rateLimits.shift()) } };
        if (!params.channel) return fail('channel_not_found');
        if (!params.text && !params.blocks) return fail('no_text');
        // Slack refuses text over 40,000 characters (docs.slack.dev/reference/methods/chat.postMessage: msg_too_long).
        if (typeof params.text === 'string' && params.text.length > 40_000) return fail('msg_too_long');
        const ts = this.nextTs();
        this.posted.set(`${params.channel}:${ts}`, { text: String(params.text ?? ''), edits: [], mrkdwn: params.mrkdwn !== false && params.mrkdwn !== 'false' });
        return ok({ channel: params.channel, ts, message: { type: 'message', user: this.bot.userId, bot_id: this.bot.botId, text: params.text, ts } });
      }
      case 'chat.update': {
        const m = this.posted.get(`${params.channel}:${params.ts}`);
        if (!m) return fail('message_not_found');
        if (typeof params.text !== 'string' || !params.text) return fail('no_text');
        if (params.text.length > 40_000) return fail('msg_too_long');
        m.text = params.text;
        m.edits.push(params.text);
        return ok({ channel: params.channel, ts: params.ts, text: params.text });
      }
      default:
        return fail('unknown_method');
    }
  }

  private readonly rateLimits: number[] = [];

  /** The next `count` chat.postMessage calls are answered 429 with Retry-After `seconds` (Slack's rate-limit answer). */
  rateLimitNext(count: number, seconds: number): void {
    for (let i = 0; i < count; i++) this.rateLimits.push(seconds);
  }

  /** Messages the bot posted, by `<channel>:<ts>` (text as last set, every edit). */
  readonly posted = new Map<string, { text: string; edits: string[]; mrkdwn: boolean }>();

  private onSocket(ws: WebSocket): void {
    if (this.refuseSockets) {
      ws.terminate();
      return;
    }
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (raw) => {
      try {
        const m = JSON.parse(raw.toString()) as { envelope_id?: string };
        if (m.envelope_id) this.acks.push(m.envelope_id);
      } catch {
        // Slack ignores what it cannot parse; so does the fake.
      }
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, debug_info: { host: 'fake-slack', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0FAKE0001' } }));
  }
}

function paramsOf(c: Pick<RecordedCall, 'body' | 'query'>): Record<string, unknown> {
  const fromBody =
    typeof c.body === 'string' ? Object.fromEntries(new URLSearchParams(c.body)) : c.body && typeof c.body === 'object' ? (c.body as Record<string, unknown>) : {};
  return { ...c.query, ...fromBody };
}
