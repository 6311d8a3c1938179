/**
 * A local Feishu / Lark Open Platform (the endpoints a gateway calls) plus a callback sender that encrypts and
 * signs like the platform does. Wire format: see README.md beside this file.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { CallLog, FakeRequest, FakeResponse, postRaw, RecordingHttpServer } from '../http-recorder';
import { decodeFrame, encodeFrame, WsFrame } from './ws-frame';

export interface FeishuUser {
  open_id: string;
  union_id?: string;
  user_id?: string;
  name: string;
  en_name?: string;
}

export interface FakeFeishuOptions {
  appId: string;
  appSecret: string;
  /** Put in `header.token` of every callback built by `messageEvent` (the console's Verification Token). */
  verificationToken: string;
  bot?: { open_id: string; app_name: string };
  users?: FeishuUser[];
}

/** Feishu's encryption: AES-256-CBC, key = SHA-256(encryptKey), body = base64(iv16 ‖ ciphertext), PKCS#7. */
export function feishuEncrypt(encryptKey: string, plaintext: string, iv: Buffer = randomBytes(16)): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** X-Lark-Signature = hex(SHA-256(timestamp + nonce + encryptKey + raw body)). */
export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + rawBody).digest('hex');
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export interface MessageEventInput {
  chatType: 'p2p' | 'group';
  chatId: string;
  openId: string;
  text?: string;
  /** Raw `content` (a JSON string); defaults to `{"text": text}`. */
  content?: string;
  messageType?: string;
  messageId?: string;
  rootId?: string;
  threadId?: string;
  senderType?: 'user' | 'app';
  eventId?: string;
  createTime?: number;
  /** `message.mentions[]`: the placeholder key in the text (`@_user_1`) and who it stands for. */
  mentions?: { key: string; openId: string; name: string }[];
}

export interface DeliverOptions {
  /** Encrypt the body and sign it (X-Lark-Signature) with this key. */
  encryptKey?: string;
  /** Send this signature instead of the right one (`null`: none). */
  signature?: string | null;
  timestamp?: string;
  nonce?: string;
}

export class FakeFeishu {
  readonly users = new Map<string, FeishuUser>();
  /** Group chats the bot is in (GET /open-apis/im/v1/chats/:chat_id answers their `name`). */
  readonly chats = new Map<string, { name: string; description?: string }>();
  readonly bot: { open_id: string; app_name: string };
  private readonly tenantTokens = new Set<string>();
  private readonly sentByUuid = new Map<string, unknown>();
  private http!: RecordingHttpServer;
  private wss!: WebSocketServer;
  private readonly wsSockets = new Set<WebSocket>();
  private readonly acks = new Map<string, (payload: unknown) => void>();
  /** Frames the long-connection client sent (pings, acks), decoded. */
  readonly wsFramesReceived: WsFrame[] = [];
  private static readonly SERVICE_ID = 4242;

  private constructor(readonly options: FakeFeishuOptions) {
    this.bot = options.bot ?? { open_id: 'ou_bot000000000000000000000000000', app_name: 'Twokey' };
    for (const u of options.users ?? []) this.users.set(u.open_id, u);
  }

  static async start(options: FakeFeishuOptions): Promise<FakeFeishu> {
    const fake = new FakeFeishu(options);
    fake.http = await RecordingHttpServer.start(
      {
        recordHeaders: ['authorization', 'content-type'],
        routes: [
          { method: 'POST', pattern: '/open-apis/auth/v3/tenant_access_token/internal', handle: (r) => fake.tenantToken(r) },
          { method: 'GET', pattern: '/open-apis/bot/v3/info', handle: (r) => fake.authed(r, () => fake.botInfo()) },
          { method: 'GET', pattern: '/open-apis/contact/v3/users/:user_id', handle: (r) => fake.authed(r, () => fake.user(r)) },
          { method: 'GET', pattern: '/open-apis/im/v1/chats/:chat_id', handle: (r) => fake.authed(r, () => fake.chat(r.params.chat_id)) },
          { method: 'POST', pattern: '/open-apis/im/v1/messages', handle: (r) => fake.authed(r, () => fake.sendMessage(r, undefined)) },
          { method: 'POST', pattern: '/open-apis/im/v1/messages/:message_id/reply', handle: (r) => fake.authed(r, () => fake.sendMessage(r, r.params.message_id)) },
          { method: 'PUT', pattern: '/open-apis/im/v1/messages/:message_id', handle: (r) => fake.authed(r, () => fake.updateMessage(r)) },
          { method: 'POST', pattern: '/callback/ws/endpoint', handle: (r) => fake.wsEndpoint(r) },
        ],
        notFound: () => ({ status: 404, body: { code: 404, msg: '404 page not found' } }),
      },
      new CallLog(),
    );
    fake.wss = new WebSocketServer({ server: fake.http.server, path: '/callback/ws' });
    fake.wss.on('connection', (socket) => fake.onWsConnection(socket));
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  get log(): CallLog {
    return this.http.log;
  }

  /** Calls a user would notice (sending, replying, reactions …); token requests and lookups (GETs) are not. */
  userFacingCalls() {
    return this.log.filter((c) => c.path.startsWith('/open-apis/im/') && c.method !== 'GET');
  }

  /** Accepted sends, in order. */
  sentMessages(): { replyTo?: string; receiveId?: string; content: unknown; replyInThread?: boolean }[] {
    return this.log
      .filter((c) => c.status === 200 && c.path.startsWith('/open-apis/im/v1/messages'))
      .map((c) => {
        const b = c.body as { receive_id?: string; content: string; reply_in_thread?: boolean };
        const reply = /\/messages\/([^/]+)\/reply$/.exec(c.path)?.[1];
        return { ...(reply ? { replyTo: reply, replyInThread: b.reply_in_thread } : { receiveId: b.receive_id }), content: JSON.parse(b.content) };
      });
  }

  /** An `im.message.receive_v1` callback (schema 2.0) as the platform builds it. */
  messageEvent(input: MessageEventInput) {
    const now = input.createTime ?? Date.now();
    return {
      schema: '2.0',
      header: {
        event_id: input.eventId ?? hex(16),
        event_type: 'im.message.receive_v1',
        create_time: String(now),
        token: this.options.verificationToken,
        app_id: this.options.appId,
        tenant_key: '2ca1d211f64f6438',
      },
      event: {
        sender: {
          sender_id: { open_id: input.openId, union_id: `on_${hex(16)}`, user_id: hex(4) },
          sender_type: input.senderType ?? 'user',
          tenant_key: '736588c9260f175e',
        },
        message: {
          message_id: input.messageId ?? `om_${hex(16)}`,
          ...(input.rootId ? { root_id: input.rootId, parent_id: input.rootId } : {}),
          ...(input.threadId ? { thread_id: input.threadId } : {}),
          create_time: String(now),
          update_time: String(now),
          chat_id: input.chatId,
          chat_type: input.chatType,
          message_type: input.messageType ?? 'text',
          content: input.content ?? JSON.stringify({ text: input.text ?? '' }),
          ...(input.mentions
            ? {
                mentions: input.mentions.map((m) => ({
                  key: m.key,
                  id: { open_id: m.openId, union_id: `on_${hex(16)}`, user_id: '' },
                  name: m.name,
                  tenant_key: '736588c9260f175e',
                })),
              }
            : {}),
        },
      },
    };
  }

  /** The URL-verification request the console sends when the request URL is saved. */
  urlVerification(challenge: string, token = this.options.verificationToken) {
    return { challenge, token, type: 'url_verification' };
  }

  /** The exact body bytes the platform would POST for `payload` (compact JSON; encrypted when a key is given). */
  body(payload: unknown, encryptKey?: string): string {
    const plain = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return encryptKey ? JSON.stringify({ encrypt: feishuEncrypt(encryptKey, plain) }) : plain;
  }

  /** POSTs a callback to `url`, encrypted and signed when `encryptKey` is given. `payload` may be raw text. */
  async deliver(url: string, payload: unknown, o: DeliverOptions = {}) {
    const raw = this.body(payload, o.encryptKey);
    return this.deliverRaw(url, raw, o);
  }

  /** POSTs `raw` as is, with timestamp / nonce headers and a signature over the raw bytes when a key is given. */
  async deliverRaw(url: string, raw: string, o: DeliverOptions = {}) {
    const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = o.nonce ?? hex(8);
    const signature = o.signature !== undefined ? o.signature : o.encryptKey ? feishuSignature(timestamp, nonce, o.encryptKey, raw) : null;
    return postRaw(url, raw, {
      'content-type': 'application/json; charset=utf-8',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      ...(signature === null ? {} : { 'x-lark-signature': signature }),
    });
  }

  /** Long-connection clients currently connected. */
  get longConnections(): number {
    return this.wsSockets.size;
  }

  async waitForLongConnection(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.wsSockets.size === 0) {
      if (Date.now() > deadline) throw new Error(`no long-connection client within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Pushes a plaintext v2 event over every long connection as a data frame and resolves with the client's
   * acknowledgement payload (`{ code: 200 }` when its handler succeeded).
   */
  pushEvent(payload: unknown, timeoutMs = 5000): Promise<unknown> {
    const messageId = hex(8);
    const frame = encodeFrame({
      SeqID: 0,
      LogID: 0,
      service: FakeFeishu.SERVICE_ID,
      method: 1,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: messageId },
        { key: 'sum', value: '1' },
        { key: 'seq', value: '0' },
        { key: 'trace_id', value: hex(8) },
      ],
      payload: Buffer.from(JSON.stringify(payload)),
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(messageId);
        reject(new Error(`no acknowledgement for long-connection event ${messageId}`));
      }, timeoutMs);
      this.acks.set(messageId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      for (const socket of this.wsSockets) socket.send(frame);
    });
  }

  /**
   * While true, every new long connection is closed at once (as during an outage on the platform's side): with
   * `dropLongConnections`, the client stays disconnected until it is set back.
   */
  refuseLongConnections = false;

  /** Closes every long connection (the client must reconnect). */
  dropLongConnections(): void {
    for (const socket of this.wsSockets) socket.terminate();
  }

  async close(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.http.close();
  }

  private wsEndpoint(req: FakeRequest): FakeResponse {
    const b = (req.body ?? {}) as { AppID?: string; AppSecret?: string };
    if (b.AppID !== this.options.appId || b.AppSecret !== this.options.appSecret) {
      return { status: 200, body: { code: 10014, msg: 'app secret invalid', data: {} } };
    }
    const wsUrl = `${this.url.replace(/^http/, 'ws')}/callback/ws?device_id=${hex(4)}&service_id=${FakeFeishu.SERVICE_ID}`;
    return {
      status: 200,
      body: { code: 0, msg: 'ok', data: { URL: wsUrl, ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 } } },
    };
  }

  private onWsConnection(socket: WebSocket): void {
    if (this.refuseLongConnections) {
      socket.terminate();
      return;
    }
    this.wsSockets.add(socket);
    socket.on('close', () => this.wsSockets.delete(socket));
    socket.on('message', (raw: Buffer) => {
      const frame = decodeFrame(raw);
      this.wsFramesReceived.push(frame);
      const header = (k: string) => frame.headers.find((h) => h.key === k)?.value;
      if (frame.method === 0 && header('type') === 'ping') {
        const pong = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 };
        socket.send(encodeFrame({ ...frame, headers: [{ key: 'type', value: 'pong' }], payload: Buffer.from(JSON.stringify(pong)) }));
        return;
      }
      const messageId = header('message_id');
      const ack = messageId ? this.acks.get(messageId) : undefined;
      if (ack && frame.payload) {
        this.acks.delete(messageId!);
        ack(JSON.parse(frame.payload.toString()));
      }
    });
  }

  private tenantToken(req: FakeRequest): FakeResponse {
    const b = (req.body ?? {}) as { app_id?: string; app_secret?: string };
    if (b.app_id !== this.options.appId) return { status: 400, body: { code: 10003, msg: 'invalid param' } };
    if (b.app_secret !== this.options.appSecret) return { status: 400, body: { code: 10014, msg: 'app secret invalid' } };
    const token = `t-${hex(20)}`;
    this.tenantTokens.add(token);
    return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 } };
  }

  private authed(req: FakeRequest, then: () => FakeResponse): FakeResponse {
    const m = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m || !this.tenantTokens.has(m[1])) {
      return { status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' } };
    }
    return then();
  }

  private botInfo(): FakeResponse {
    return {
      status: 200,
      body: { code: 0, msg: 'ok', bot: { activate_status: 2, app_name: this.bot.app_name, avatar_url: 'https://example.invalid/a.png', ip_white_list: [], open_id: this.bot.open_id } },
    };
  }

  /** Chat info as documented: `data` with name, description, chat_mode, chat_type …; a chat without the bot is refused. */
  private chat(chatId: string): FakeResponse {
    const chat = this.chats.get(chatId);
    if (!chat) return { status: 400, body: { code: 232011, msg: 'The operator is not in the chat.' } };
    return {
      status: 200,
      body: { code: 0, msg: 'success', data: { name: chat.name, description: chat.description ?? '', chat_mode: 'group', chat_type: 'private', chat_status: 'normal', external: false } },
    };
  }

  private user(req: FakeRequest): FakeResponse {
    if (req.query.user_id_type && req.query.user_id_type !== 'open_id') {
      return { status: 400, body: { code: 99992402, msg: 'field validation failed' } };
    }
    const user = this.users.get(req.params.user_id);
    if (!user) return { status: 400, body: { code: 41050, msg: 'no user authority error' } };
    return { status: 200, body: { code: 0, msg: 'success', data: { user } } };
  }

  /** Messages the bot sent, by message_id: what a reader sees (text, or the post's md), and every edit. */
  readonly sent = new Map<string, { chatId?: string; msgType: string; text: string; edits: string[] }>();

  /**
   * Checks content as Feishu does: `text` → {"text"}, `post` → {"<locale>": {"content": [[elements]]}}; a post
   * over 30 KB or a text over 150 KB is refused with 230025. Returns what a reader sees, or the error answer.
   */
  private checkContent(msgType: string | undefined, content: string | undefined): { text: string } | FakeResponse {
    const invalid: FakeResponse = { status: 400, body: { code: 230001, msg: 'Your request contains an invalid request parameter, content is invalid.' } };
    if (typeof content !== 'string' || (msgType !== 'text' && msgType !== 'post')) {
      return { status: 400, body: { code: 230001, msg: 'Your request contains an invalid request parameter.' } };
    }
    const limit = msgType === 'post' ? 30 * 1024 : 150 * 1024;
    if (Buffer.byteLength(content) > limit) return { status: 400, body: { code: 230025, msg: 'The message content exceeds the length limit.' } };
    try {
      const parsed = JSON.parse(content) as Record<string, unknown>;
      if (msgType === 'text') {
        if (typeof parsed.text !== 'string') throw new Error('no text');
        return { text: parsed.text };
      }
      const locale = Object.values(parsed)[0] as { content?: { tag: string; text?: string }[][] } | undefined;
      if (!locale || !Array.isArray(locale.content)) throw new Error('no content');
      return { text: locale.content.map((line) => line.map((el) => (typeof el.text === 'string' ? el.text : '')).join('')).join('\n') };
    } catch {
      return invalid;
    }
  }

  private updateMessage(req: FakeRequest): FakeResponse {
    const m = this.sent.get(req.params.message_id);
    if (!m) return { status: 400, body: { code: 230011, msg: 'The message was withdrawn or does not exist.' } };
    // "一条消息最多可编辑 20 次" (im-v1/message/update).
    if (m.edits.length >= 20) return { status: 400, body: { code: 230072, msg: 'The message has reached the number of times it can be edited.' } };
    const b = (req.body ?? {}) as { msg_type?: string; content?: string };
    const checked = this.checkContent(b.msg_type, b.content);
    if ('status' in checked) return checked;
    m.text = checked.text;
    m.msgType = b.msg_type!;
    m.edits.push(checked.text);
    return { status: 200, body: { code: 0, msg: 'success', data: {} } };
  }

  private sendMessage(req: FakeRequest, replyTo: string | undefined): FakeResponse {
    const b = (req.body ?? {}) as { receive_id?: string; msg_type?: string; content?: string; uuid?: string };
    if (!replyTo && req.query.receive_id_type !== 'chat_id') return { status: 400, body: { code: 99992402, msg: 'field validation failed' } };
    if (!replyTo && !b.receive_id) return { status: 400, body: { code: 230001, msg: 'Your request contains an invalid request parameter.' } };
    const checked = this.checkContent(b.msg_type, b.content);
    if ('status' in checked) return checked;
    if (b.uuid && this.sentByUuid.has(b.uuid)) return { status: 200, body: this.sentByUuid.get(b.uuid) };
    const answer = {
      code: 0,
      msg: 'success',
      data: {
        message_id: `om_${hex(16)}`,
        ...(replyTo ? { root_id: replyTo, parent_id: replyTo } : {}),
        msg_type: b.msg_type,
        create_time: String(Date.now()),
        chat_id: b.receive_id,
        sender: { id: this.options.appId, id_type: 'app_id', sender_type: 'app' },
        body: { content: b.content },
      },
    };
    if (b.uuid) this.sentByUuid.set(b.uuid, answer);
    this.sent.set(answer.data.message_id, { chatId: b.receive_id, msgType: b.msg_type!, text: checked.text, edits: [] });
    return { status: 200, body: answer };
  }
}
