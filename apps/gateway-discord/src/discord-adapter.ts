/**
 * Discord through discord.js (unmodified): the gateway websocket with the intents a DM and a guild message need
 * (Message Content is privileged), `Partials.Channel` so DMs are not dropped, and REST for replies and the
 * connection test. MESSAGE_CREATE is read as the documented dispatch payload (`client.ws`), so normalization is a
 * pure function of wire data plus the names discord.js has cached.
 */
import { Client, DiscordAPIError, Events, GatewayDispatchEvents, GatewayIntentBits, Partials, REST, RESTJSONErrorCodes, Routes, Status } from 'discord.js';
import type { APIUser } from 'discord.js';
import type { CapabilityProfile, ConnectionTestResult } from '@twokey/contracts';
import { AdapterProblem, deliver, InboundSink, MessageTooLong, NonRetryablePlatformError, OutboundChunk, OutboundEdit, OutboundTarget, PermanentSendError, PlatformAdapter } from '@twokey/gateway-kit';
import { type JsonLogger, redactSecrets } from '@twokey/service-kit';
import { DISCORD_PROFILE } from './discord-profile';
import { normalizeDiscordMessage } from './normalize';

export interface DiscordAdapterOptions {
  connection: string;
  token: string;
  /** REST base (discord.js `rest.api`), default https://discord.com/api. */
  apiUrl?: string;
  logger: JsonLogger;
  /** How long to wait for GUILD_CREATE of every guild in READY (discord.js waitGuildTimeout). */
  waitGuildTimeoutMs?: number;
  now?: () => Date;
}

export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
];

/** The Message Content intent is privileged: asking for it when it is off makes Discord close with 4014. */
export class DiscordIntentsError extends NonRetryablePlatformError {
  override readonly name: string = 'DiscordIntentsError';
  constructor() {
    super(
      'Discord closed the gateway with 4014 (disallowed intents): enable "Message Content Intent" for this bot in the ' +
        'Discord developer portal (Applications → your app → Bot → Privileged Gateway Intents), then press Reconnect or restart the gateway',
    );
  }
}

/**
 * Close codes Discord's table marks "do not reconnect": retrying them only burns IDENTIFYs (past 1,000 a day Discord
 * resets the token). 4014 has its own sentence (DiscordIntentsError).
 */
const NON_RETRYABLE_CLOSE_CODES: Readonly<Record<number, string>> = {
  4004: 'Discord closed the gateway with 4004 (authentication failed): check DISCORD_BOT_TOKEN',
  4010: 'Discord closed the gateway with 4010 (invalid shard)',
  4011: 'Discord closed the gateway with 4011 (sharding required): the bot is in too many servers for one shard',
  4012: 'Discord closed the gateway with 4012 (invalid API version)',
  4013: 'Discord closed the gateway with 4013 (invalid intents)',
};

export function nonRetryableClose(code: number): NonRetryablePlatformError | undefined {
  if (code === 4014) return new DiscordIntentsError();
  const reason = NON_RETRYABLE_CLOSE_CODES[code];
  return reason ? new NonRetryablePlatformError(reason) : undefined;
}

export class DiscordAdapter implements PlatformAdapter {
  readonly platform = 'discord' as const;
  readonly profile: CapabilityProfile = DISCORD_PROFILE;
  private readonly rest: REST;
  private client?: Client;
  /** Set when Discord closed with a code not to be retried; cleared by the next start. */
  private halted?: NonRetryablePlatformError;

  constructor(private readonly o: DiscordAdapterOptions) {
    this.rest = new REST({ version: '10', ...(o.apiUrl ? { api: o.apiUrl } : {}) }).setToken(o.token);
  }

  async start(sink: InboundSink): Promise<void> {
    this.halted = undefined;
    const client = new Client({
      intents: DISCORD_INTENTS,
      partials: [Partials.Channel],
      rest: this.o.apiUrl ? { api: this.o.apiUrl } : {},
      waitGuildTimeout: this.o.waitGuildTimeoutMs ?? 15_000,
    });
    this.client = client;
    client.ws.on(GatewayDispatchEvents.MessageCreate, (data: { channel_id?: string; guild_id?: string }) => {
      const channel = data.channel_id ? client.channels.cache.get(data.channel_id) : undefined;
      const guild = data.guild_id ? client.guilds.cache.get(data.guild_id) : undefined;
      const result = normalizeDiscordMessage(data, {
        connection: this.o.connection,
        botUserId: client.user?.id ?? '',
        receivedAt: this.now(),
        channel: channel ? { type: channel.type, name: 'name' in channel ? channel.name : undefined } : undefined,
        guild: guild ? { name: guild.name } : undefined,
      });
      deliver(sink, result, this.o.logger).catch((e) => this.o.logger.error('discord message not handled', { error: (e as Error).message }));
    });
    client.on(Events.ShardDisconnect, (event) => {
      // @discordjs/ws does not reconnect after these; the adapter must not either until told to (problem()).
      const fatal = nonRetryableClose(event.code);
      if (fatal) this.halted = fatal;
      this.o.logger.error(fatal ? `${fatal.message}; not reconnecting until Reconnect or a restart` : 'discord gateway closed and will not reconnect', { code: event.code });
    });
    client.on(Events.Error, (e) => this.o.logger.error('discord client error', { error: e.message }));
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    try {
      await client.login(this.o.token);
      await ready;
    } catch (e) {
      await client.destroy().catch(() => undefined);
      this.client = undefined;
      throw this.halted ?? startError(e);
    }
    this.o.logger.info('discord connected', { bot: client.user?.username, guilds: client.guilds.cache.size });
  }

  /** Every gateway shard is ready: none is reconnecting, resuming or closed for good. */
  receiving(): boolean {
    const shards = this.client?.ws.shards;
    return shards !== undefined && shards.size > 0 && shards.every((shard) => shard.status === Status.Ready);
  }

  problem(): AdapterProblem | undefined {
    return this.halted ? { reason: this.halted.message, halted: true } : undefined;
  }

  async stop(): Promise<void> {
    await this.client?.destroy();
    this.client = undefined;
  }

  /** A thread is a channel of its own: its id is the conversation id, so threadId needs no special route. */
  async send(c: OutboundChunk): Promise<string> {
    try {
      const sent = (await this.rest.post(Routes.channelMessages(c.conversationId), {
        body: {
          content: c.text,
          // Nobody is pinged by what the agent writes, whatever its text says.
          allowed_mentions: { parse: [] },
          ...(c.replyToMessageId ? { message_reference: { message_id: c.replyToMessageId, fail_if_not_exists: false } } : {}),
        },
      })) as { id: string };
      return sent.id;
    } catch (e) {
      throw toDiscordSendError(e);
    }
  }

  async edit(e: OutboundEdit): Promise<void> {
    try {
      await this.rest.patch(Routes.channelMessage(e.conversationId, e.messageId), { body: { content: e.text, allowed_mentions: { parse: [] } } });
    } catch (err) {
      throw toDiscordSendError(err);
    }
  }

  /** POST /channels/:id/typing shows "typing…" for 10 s or until the bot's next message. */
  async typing(t: OutboundTarget): Promise<void> {
    try {
      await this.rest.post(Routes.channelTyping(t.conversationId));
    } catch (e) {
      throw toDiscordSendError(e);
    }
  }

  async connectionTest(): Promise<ConnectionTestResult> {
    try {
      const me = (await this.rest.get(Routes.user())) as APIUser;
      return { ok: true, bot: { id: me.id, name: me.global_name ?? me.username }, latencyMs: 0 };
    } catch (e) {
      throw describeDiscordError(e);
    }
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }
}

/** discord.js / REST errors → messages an operator can act on (the token travels in a header, never in a text; redacted anyway). */
export function describeDiscordError(e: unknown): Error {
  if (e instanceof DiscordAPIError) {
    if (e.status === 401) return new Error('Discord rejected the bot token (401 Unauthorized): check DISCORD_BOT_TOKEN');
    if (e.code === RESTJSONErrorCodes.MissingAccess) return new Error(`Discord denied access: ${e.message}`);
    return new Error(`Discord API error ${e.status}: ${e.message}`);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (/disallowed intents/i.test(err.message)) return new DiscordIntentsError();
  if ((err as { code?: string }).code === 'TokenInvalid' || /Authentication failed/i.test(err.message)) {
    return new Error('Discord rejected the bot token: check DISCORD_BOT_TOKEN');
  }
  return new Error(redactSecrets(err.message));
}

/** Errors of `login` that retrying cannot fix (bad token, the do-not-reconnect close codes) become NonRetryablePlatformError. */
function startError(e: unknown): Error {
  const described = describeDiscordError(e);
  if (described instanceof NonRetryablePlatformError) return described;
  const message = e instanceof Error ? e.message : String(e);
  const tokenRejected = (e instanceof DiscordAPIError && e.status === 401) || (e as { code?: string })?.code === 'TokenInvalid' || /Authentication failed/i.test(message);
  if (tokenRejected) return new NonRetryablePlatformError(described.message, { cause: e });
  for (const [pattern, code] of [[/invalid shard/i, 4010], [/sharding is required/i, 4011], [/invalid API version/i, 4012], [/invalid intents/i, 4013]] as const) {
    if (pattern.test(message)) return nonRetryableClose(code) ?? described;
  }
  return described;
}

/**
 * discord.js's REST waits out a 429 itself (it reads retry_after and queues per route), so none reaches here as
 * one; a 4xx is permanent, an over-long content is MessageTooLong (the kit splits smaller).
 */
function toDiscordSendError(e: unknown): Error {
  if (e instanceof DiscordAPIError && e.status >= 400 && e.status < 500 && e.status !== 429) {
    if (/BASE_TYPE_MAX_LENGTH|2000 or fewer/.test(JSON.stringify(e.rawError))) return new MessageTooLong(`discord refused the message: ${e.status} ${e.message}`);
    return new PermanentSendError(`discord refused the message: ${e.status} ${e.message}`, { cause: e });
  }
  return describeDiscordError(e);
}
