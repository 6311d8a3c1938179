/**
 * Telegram through grammY, unmodified: long polling (`bot.start()`) by default, or webhook mode with grammY's
 * `webhookCallback` (constant-time secret-token check) mounted on the kit's HTTP server. The adapter only maps
 * updates to InboundMessage and hands replies to TelegramOutbound; it never replies on its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Api, Bot, GrammyError, HttpError, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import type { CapabilityProfile, ConnectionTestResult } from '@twokey/contracts';
import { AdapterProblem, deliver, InboundSink, networkErrorCode, NonRetryablePlatformError, OutboundChunk, OutboundEdit, OutboundTarget, parseJsonSafely, PlatformAdapter, WebhookRoute } from '@twokey/gateway-kit';
import { type JsonLogger, redactSecrets } from '@twokey/service-kit';
import { normalizeTelegramUpdate } from './normalize';
import { TelegramOutbound } from './telegram-outbound';
import { TELEGRAM_PROFILE } from './telegram-profile';

export interface TelegramAdapterOptions {
  connection: string;
  token: string;
  /** Bot API base URL without trailing slash (a local Bot API server or a test fake). */
  apiRoot?: string;
  mode: 'polling' | 'webhook';
  webhook?: { path: string; secretToken: string; url?: string };
  logger: JsonLogger;
  /** Long-poll timeout in seconds (Telegram's default 30). */
  pollingTimeoutSeconds?: number;
  now?: () => Date;
  /** Replaces the declared profile (tests scale the write budget down to run minutes of it in seconds). */
  profile?: CapabilityProfile;
}

/** Only messages are asked for; anything else that still arrives is ignored by the normalization. */
const ALLOWED_UPDATES = ['message'] as const;
const POLLING_RESTART_MS = 5_000;
/**
 * L5: the largest webhook body we take. Only `message` updates are asked for: at most 4096 characters of text (or
 * 1024 of caption) with their entities, plus the message replied to or quoted, of the same bounds: well under this.
 */
export const TELEGRAM_MAX_UPDATE_BYTES = 256 * 1024;

class MalformedWebhookBody extends Error {}

export class TelegramAdapter implements PlatformAdapter {
  readonly platform = 'telegram' as const;
  readonly profile: CapabilityProfile;
  private readonly api: Api;
  private readonly outbound: TelegramOutbound;
  private bot?: Bot;
  private polling?: Promise<void>;
  private webhookHandler?: (req: IncomingMessage, res: ServerResponse, raw: Buffer) => Promise<unknown>;
  private restartTimer?: NodeJS.Timeout;
  private stopped = false;
  /** The last getUpdates failed (or polling stopped) and none has succeeded since. */
  private pollingFailing = false;
  /** Why, for the status: the last getUpdates failure, or the refusal that stopped polling for good. */
  private pollingProblem?: AdapterProblem;
  private failedPolls = 0;

  constructor(private readonly o: TelegramAdapterOptions) {
    this.api = new Api(o.token, o.apiRoot ? { apiRoot: o.apiRoot } : undefined);
    this.outbound = new TelegramOutbound(this.api, describeTelegramError);
    this.profile = o.profile ?? TELEGRAM_PROFILE;
  }

  async start(sink: InboundSink): Promise<void> {
    this.stopped = false;
    const bot = new Bot(this.o.token, { client: this.o.apiRoot ? { apiRoot: this.o.apiRoot } : undefined });
    // Issue 20 P1: grammY's bot.init() retries getMe quietly with a doubling delay (up to 20 min), so the bot's
    // identity is asked here, once per attempt: a failure reaches the kit, which logs it and retries within 30 s.
    let me;
    try {
      me = await this.api.getMe();
    } catch (e) {
      throw startError(e);
    }
    bot.botInfo = me;
    bot.use(async (ctx) => {
      const result = normalizeTelegramUpdate(ctx.update, {
        connection: this.o.connection,
        botId: ctx.me.id,
        botUsername: ctx.me.username,
        receivedAt: this.now(),
      });
      await deliver(sink, result, this.o.logger, { updateId: ctx.update.update_id });
    });
    bot.catch((err) => this.o.logger.error('telegram update not handled', { updateId: err.ctx.update.update_id, error: describeTelegramError(err.error).message }));
    // grammY retries a failing getUpdates on its own and says nothing: its outcome is what `receiving` reports.
    bot.api.config.use(async (prev, method, payload, signal) => {
      if (method === 'deleteWebhook') {
        // bot.start() retries it quietly too (withRetries): say so each time it fails.
        return prev(method, payload, signal).catch((e: unknown) => {
          if (!this.stopped) this.pollFailed(`deleteWebhook failed: ${describeTelegramError(e).message}`);
          throw e;
        });
      }
      if (method !== 'getUpdates') return prev(method, payload, signal);
      try {
        const response = await prev(method, payload, signal);
        this.pollingFailing = !response.ok;
        if (response.ok) this.pollRecovered();
        else this.pollFailed(`getUpdates refused: ${response.error_code} ${response.description}`);
        return response;
      } catch (e) {
        if (!this.stopped) {
          this.pollingFailing = true;
          this.pollFailed(describeTelegramError(e).message);
        }
        throw e;
      }
    });
    await bot.init(); // botInfo is set: no call
    this.bot = bot;
    if (this.o.mode === 'webhook') await this.startWebhook(bot);
    else await this.startPolling(bot);
    this.o.logger.info('telegram connected', { bot: bot.botInfo.username, mode: this.o.mode });
  }

  private startPolling(bot: Bot): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let started = false;
      this.polling = bot
        .start({
          allowed_updates: [...ALLOWED_UPDATES],
          timeout: this.o.pollingTimeoutSeconds ?? 30,
          onStart: () => {
            started = true;
            resolve();
          },
        })
        .catch((e) => {
          const err = startError(e);
          if (!started) return reject(err);
          // grammY gives up polling on 401/409 (token revoked, another poller, a webhook set elsewhere).
          this.pollingFailing = true;
          if (err instanceof NonRetryablePlatformError) {
            // A revoked token stays revoked: polling again would only be refused again.
            this.pollingProblem = { reason: err.message, halted: true };
            this.o.logger.error('telegram long polling stopped; not restarting until Reconnect or a restart', { error: err.message });
            return;
          }
          this.pollingProblem = { reason: err.message, halted: false };
          this.o.logger.error('telegram long polling stopped; restarting', { error: err.message, retryInMs: POLLING_RESTART_MS });
          if (!this.stopped) this.restartTimer = setTimeout(() => void this.startPolling(bot).catch(() => undefined), POLLING_RESTART_MS);
        });
    });
  }

  /** Webhooks: started is receiving. Long polling: the last getUpdates succeeded. */
  receiving(): boolean {
    return this.o.mode === 'webhook' || !this.pollingFailing;
  }

  problem(): AdapterProblem | undefined {
    return this.o.mode === 'webhook' || !this.pollingFailing ? undefined : this.pollingProblem;
  }

  /** grammY retries a failed getUpdates every 3 s without a word: each failure is logged here. */
  private pollFailed(reason: string): void {
    this.failedPolls++;
    this.pollingProblem = { reason, halted: false };
    this.o.logger.error('telegram getUpdates failed; grammY retries in 3 s', { error: reason, attempt: this.failedPolls });
  }

  private pollRecovered(): void {
    if (this.failedPolls > 0) this.o.logger.info('telegram getUpdates works again', { failedAttempts: this.failedPolls });
    this.failedPolls = 0;
    this.pollingProblem = undefined;
  }

  private async startWebhook(bot: Bot): Promise<void> {
    const hook = this.o.webhook;
    if (!hook) throw new Error('webhook mode needs a secret token');
    const callback = webhookCallback(
      bot,
      (req: IncomingMessage, res: ServerResponse, raw: Buffer) => ({
        get update(): Promise<Update> {
          const json = parseJsonSafely(raw.toString('utf8'));
          return json.ok ? Promise.resolve(json.value as Update) : Promise.reject(new MalformedWebhookBody(json.reason));
        },
        header: headerValue(req.headers['x-telegram-bot-api-secret-token']),
        end: () => res.end(),
        respond: (json: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(json),
        unauthorized: () => res.writeHead(401, { 'content-type': 'text/plain' }).end('secret token is wrong'),
      }),
      { secretToken: hook.secretToken, onTimeout: 'throw', timeoutMilliseconds: 10_000 },
    );
    this.webhookHandler = async (req, res, raw) => {
      await callback(req, res, raw);
    };
    if (hook.url) {
      await bot.api.setWebhook(hook.url, { secret_token: hook.secretToken, allowed_updates: [...ALLOWED_UPDATES] });
    }
  }

  webhooks(): WebhookRoute[] {
    if (this.o.mode !== 'webhook' || !this.o.webhook) return [];
    return [
      {
        method: 'POST',
        path: this.o.webhook.path,
        requiredHeader: 'X-Telegram-Bot-Api-Secret-Token',
        maxBodyBytes: TELEGRAM_MAX_UPDATE_BYTES,
        handle: async (req, res, raw) => {
          if (!this.webhookHandler) {
            res.writeHead(503).end();
            return;
          }
          try {
            await this.webhookHandler(req, res, raw);
            if (res.statusCode === 401) this.o.logger.warn('telegram webhook request with a wrong or missing secret token; refused');
          } catch (e) {
            if (e instanceof MalformedWebhookBody) {
              this.o.logger.error('telegram webhook body is not JSON; refused', { reason: e.message });
              res.writeHead(400).end();
              return;
            }
            // Anything else (buffer full, timeout): 500 makes Telegram deliver the update again later.
            this.o.logger.error('telegram webhook update not handled; Telegram will retry', { error: (e as Error).message });
            if (!res.headersSent) res.writeHead(500).end();
          }
        },
      },
    ];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pollingFailing = false;
    this.pollingProblem = undefined;
    clearTimeout(this.restartTimer);
    if (this.bot?.isRunning()) await this.bot.stop().catch((e) => this.o.logger.warn('telegram stop failed', { error: (e as Error).message }));
    await this.polling;
    this.polling = undefined;
    this.bot = undefined;
    this.webhookHandler = undefined;
  }

  send(chunk: OutboundChunk): Promise<string> {
    return this.outbound.send(chunk);
  }

  edit(edit: OutboundEdit): Promise<void> {
    return this.outbound.edit(edit);
  }

  typing(target: OutboundTarget): Promise<void> {
    return this.outbound.typing(target);
  }

  async connectionTest(): Promise<ConnectionTestResult> {
    try {
      const me = await this.api.getMe();
      return { ok: true, bot: { id: String(me.id), name: me.username ? `@${me.username}` : me.first_name }, latencyMs: 0 };
    } catch (e) {
      throw describeTelegramError(e);
    }
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * grammY errors → messages an operator can act on. Never the inner fetch error: its message is the request URL,
 * `…/bot<TOKEN>/<method>`. An unreachable Bot API is described by the method and the error code only.
 */
export function describeTelegramError(e: unknown): Error {
  if (e instanceof GrammyError) {
    if (e.error_code === 401) return new Error('Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN');
    if (e.error_code === 409) return new Error(`Telegram refused polling (409 Conflict): ${e.description}. Another process polls this bot, or a webhook is set`);
    return new Error(`Telegram API error on ${e.method}: ${e.error_code} ${e.description}`);
  }
  if (e instanceof HttpError) {
    const method = /for '([A-Za-z]+)'/.exec(e.message)?.[1] ?? 'a Bot API method';
    const status = (e.error as { status?: unknown } | undefined)?.status;
    return new Error(`Telegram API unreachable on ${method}: ${typeof status === 'number' ? `HTTP ${status}` : networkErrorCode(e.error)}`);
  }
  return new Error(redactSecrets(e instanceof Error ? e.message : String(e)));
}

/** A rejected token (401) cannot be fixed by asking again: the kit stops retrying until Reconnect or a restart. */
function startError(e: unknown): Error {
  const described = describeTelegramError(e);
  return e instanceof GrammyError && e.error_code === 401 ? new NonRetryablePlatformError(described.message, { cause: e }) : described;
}
