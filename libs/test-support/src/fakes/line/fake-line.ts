/**
 * A local LINE Messaging API (the endpoints a gateway calls) plus a webhook sender that signs like LINE does.
 * Wire format: see README.md beside this file.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { CallLog, FakeRequest, FakeResponse, postRaw, RecordingHttpServer } from '../http-recorder';

export interface LineProfile {
  userId: string;
  displayName: string;
  pictureUrl?: string;
  statusMessage?: string;
  language?: string;
}

export interface FakeLineOptions {
  channelAccessToken: string;
  bot?: { userId: string; basicId: string; displayName: string };
  /** Profiles of users who befriended the bot (GET /v2/bot/profile/:userId). */
  profiles?: LineProfile[];
}

export type LineSource =
  | { type: 'user'; userId: string }
  | { type: 'group'; groupId: string; userId?: string }
  | { type: 'room'; roomId: string; userId?: string };

const AUTH_FAILED = { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' };
const NOT_FOUND = { message: 'Not found' };

/** X-Line-Signature: base64(HMAC-SHA256(channelSecret, raw body)). */
export function lineSignature(channelSecret: string, body: string | Buffer): string {
  return createHmac('sha256', channelSecret).update(body).digest('base64');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID-shaped id, like LINE's webhookEventId. */
export function ulidLike(): string {
  return Array.from(randomBytes(26), (b) => CROCKFORD[b % 32]).join('');
}

export class FakeLine {
  readonly profiles = new Map<string, LineProfile>();
  /** Group summaries (GET /v2/bot/group/:groupId/summary: `{ groupId, groupName, pictureUrl }`). Rooms have none. */
  readonly groups = new Map<string, { groupId: string; groupName: string; pictureUrl?: string }>();
  /** `${groupOrRoomId}:${userId}` → profile, for the group / room member endpoints. */
  readonly members = new Map<string, LineProfile>();
  readonly bot: { userId: string; basicId: string; displayName: string };
  private readonly replyTokens = new Set<string>();
  private readonly retryKeys = new Map<string, string>();
  private http!: RecordingHttpServer;
  private messageSeq = 600_000_000_000_000_000n;

  private constructor(readonly options: FakeLineOptions) {
    this.bot = options.bot ?? { userId: 'Ubot0000000000000000000000000000', basicId: '@123abcde', displayName: 'Twokey Bot' };
    for (const p of options.profiles ?? []) this.profiles.set(p.userId, p);
  }

  static async start(options: FakeLineOptions): Promise<FakeLine> {
    const fake = new FakeLine(options);
    fake.http = await RecordingHttpServer.start(
      {
        recordHeaders: ['authorization', 'content-type', 'x-line-retry-key'],
        routes: [
          { method: 'GET', pattern: '/v2/bot/info', handle: (r) => fake.authed(r, () => fake.botInfo()) },
          { method: 'GET', pattern: '/v2/bot/profile/:userId', handle: (r) => fake.authed(r, () => fake.found(fake.profiles.get(r.params.userId))) },
          {
            method: 'GET',
            pattern: '/v2/bot/group/:groupId/summary',
            handle: (r) => fake.authed(r, () => fake.foundJson(fake.groups.get(r.params.groupId))),
          },
          {
            method: 'GET',
            pattern: '/v2/bot/group/:groupId/member/:userId',
            handle: (r) => fake.authed(r, () => fake.found(fake.members.get(`${r.params.groupId}:${r.params.userId}`))),
          },
          {
            method: 'GET',
            pattern: '/v2/bot/room/:roomId/member/:userId',
            handle: (r) => fake.authed(r, () => fake.found(fake.members.get(`${r.params.roomId}:${r.params.userId}`))),
          },
          { method: 'POST', pattern: '/v2/bot/message/push', handle: (r) => fake.authed(r, () => fake.push(r)) },
          { method: 'POST', pattern: '/v2/bot/message/reply', handle: (r) => fake.authed(r, () => fake.reply(r)) },
          { method: 'POST', pattern: '/v2/bot/chat/loading/start', handle: (r) => fake.authed(r, () => fake.loading(r)) },
        ],
        notFound: () => ({ status: 404, body: NOT_FOUND }),
      },
      new CallLog(),
    );
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  get log(): CallLog {
    return this.http.log;
  }

  /** Calls a user would notice (push, reply); a silently denied message must cause none. */
  userFacingCalls() {
    return this.log.filter((c) => c.method !== 'GET');
  }

  /** Bodies of accepted push and reply calls, in order. */
  sentMessages(): { endpoint: 'push' | 'reply'; to?: string; replyToken?: string; messages: { type: string; text: string }[] }[] {
    return this.log
      .filter((c) => c.status === 200 && (c.path === '/v2/bot/message/push' || c.path === '/v2/bot/message/reply'))
      .map((c) => {
        const b = c.body as { to?: string; replyToken?: string; messages: { type: string; text: string }[] };
        return { endpoint: c.path.endsWith('push') ? 'push' : 'reply', to: b.to, replyToken: b.replyToken, messages: b.messages };
      });
  }

  addMember(containerId: string, profile: LineProfile): void {
    this.members.set(`${containerId}:${profile.userId}`, profile);
  }

  /** A text message event as LINE sends it; its replyToken becomes valid for one reply. */
  textEvent(input: {
    source: LineSource;
    text: string;
    messageId?: string;
    webhookEventId?: string;
    redelivery?: boolean;
    timestamp?: number;
    /** Mentions as LINE marks them: where in the text, whom (`isSelf` for this bot). */
    mentionees?: { index: number; length: number; userId?: string; isSelf?: boolean; type?: 'user' | 'all' }[];
  }) {
    const replyToken = randomBytes(16).toString('hex');
    this.replyTokens.add(replyToken);
    const mention = input.mentionees ? { mention: { mentionees: input.mentionees.map((m) => ({ type: 'user', ...m })) } } : {};
    return {
      type: 'message',
      message: { id: input.messageId ?? this.nextMessageId(), type: 'text', quoteToken: randomBytes(8).toString('hex'), text: input.text, ...mention },
      webhookEventId: input.webhookEventId ?? ulidLike(),
      deliveryContext: { isRedelivery: input.redelivery ?? false },
      timestamp: input.timestamp ?? Date.now(),
      source: input.source,
      replyToken,
      mode: 'active',
    };
  }

  /** `{ destination, events }` as compact JSON (what LINE sends). */
  webhookBody(events: unknown[]): string {
    return JSON.stringify({ destination: this.bot.userId, events });
  }

  /**
   * POSTs a webhook to `url` signed with `channelSecret` (or with `signature` as given; `null` sends none).
   */
  async deliver(url: string, body: string, o: { channelSecret: string; signature?: string | null }) {
    const signature = o.signature === undefined ? lineSignature(o.channelSecret, body) : o.signature;
    return postRaw(url, body, { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-line-signature': signature }) });
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private nextMessageId(): string {
    this.messageSeq += 1n;
    return this.messageSeq.toString();
  }

  private authed(req: FakeRequest, then: () => FakeResponse): FakeResponse {
    const m = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m || m[1] !== this.options.channelAccessToken) return { status: 401, body: AUTH_FAILED };
    return then();
  }

  private foundJson(body: object | undefined): FakeResponse {
    return body ? { status: 200, body } : { status: 404, body: NOT_FOUND };
  }

  private found(profile: LineProfile | undefined): FakeResponse {
    return profile ? { status: 200, body: profile } : { status: 404, body: NOT_FOUND };
  }

  private botInfo(): FakeResponse {
    return { status: 200, body: { ...this.bot, pictureUrl: 'https://profile.line-scdn.net/fake', chatMode: 'bot', markAsReadMode: 'auto' } };
  }

  private validMessages(body: unknown): FakeResponse | undefined {
    const messages = (body as { messages?: unknown })?.messages;
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > 5) {
      return { status: 400, body: { message: 'The request body has 1 error(s)', details: [{ message: 'Size must be between 1 and 5', property: 'messages' }] } };
    }
    const tooLong = messages.findIndex((m) => typeof m?.text !== 'string' || m.text.length > 5000);
    if (tooLong >= 0) {
      return { status: 400, body: { message: 'The request body has 1 error(s)', details: [{ message: 'Length must be between 0 and 5000', property: `messages[${tooLong}].text` }] } };
    }
    return undefined;
  }

  /** The text of every message accepted, by the id LINE answered with. */
  readonly textById = new Map<string, string>();

  private sent(messages: unknown[]) {
    const sentMessages = messages.map(() => ({ id: this.nextMessageId(), quoteToken: randomBytes(8).toString('hex') }));
    sentMessages.forEach((m, i) => this.textById.set(m.id, (messages[i] as { text: string }).text));
    return { sentMessages };
  }

  private push(req: FakeRequest): FakeResponse {
    const retryKey = req.headers['x-line-retry-key'];
    if (typeof retryKey === 'string') {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(retryKey)) {
        return { status: 400, body: { message: 'The value for the \'X-Line-Retry-Key\' header is invalid' } };
      }
      const accepted = this.retryKeys.get(retryKey);
      if (accepted) {
        return { status: 409, body: { message: 'The retry key is already accepted', sentMessages: [] }, headers: { 'x-line-accepted-request-id': accepted } };
      }
    }
    const invalid = this.validMessages(req.body);
    if (invalid) return invalid;
    const to = (req.body as { to?: string }).to;
    if (!to) return { status: 400, body: { message: 'The request body has 1 error(s)', details: [{ message: 'must be specified', property: 'to' }] } };
    if (typeof retryKey === 'string') this.retryKeys.set(retryKey, randomBytes(8).toString('hex'));
    return { status: 200, body: this.sent((req.body as { messages: unknown[] }).messages) };
  }

  /** The loading animation: one-to-one chats only (a user id), 5-60 s in steps of 5. */
  private loading(req: FakeRequest): FakeResponse {
    const b = (req.body ?? {}) as { chatId?: string; loadingSeconds?: number };
    if (typeof b.chatId !== 'string' || !/^U[0-9a-f]{32}$/.test(b.chatId)) {
      return { status: 400, body: { message: 'The request body has 1 error(s)', details: [{ message: 'Invalid chatId', property: 'chatId' }] } };
    }
    const secs = b.loadingSeconds ?? 20;
    if (secs < 5 || secs > 60 || secs % 5 !== 0) {
      return { status: 400, body: { message: 'The request body has 1 error(s)', details: [{ message: 'Invalid loadingSeconds', property: 'loadingSeconds' }] } };
    }
    return { status: 202, body: {} };
  }

  private reply(req: FakeRequest): FakeResponse {
    const token = (req.body as { replyToken?: string })?.replyToken;
    if (!token || !this.replyTokens.delete(token)) return { status: 400, body: { message: 'Invalid reply token' } };
    const invalid = this.validMessages(req.body);
    if (invalid) return invalid;
    return { status: 200, body: this.sent((req.body as { messages: unknown[] }).messages) };
  }
}
