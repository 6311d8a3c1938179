import * as lark from '@larksuiteoapi/node-sdk';
import { z } from 'zod';
import { ConfigError, env } from '@twokey/service-kit';

function isHttpUrl(v: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}

/** Feishu / Lark's own variables; the common ones (NATS_*, HTTP_*, TWOKEY_*) come from the gateway kit. */
export const FeishuSettings = z.object({
  FEISHU_APP_ID: z.string().min(1, 'is required'),
  FEISHU_APP_SECRET: z.string().min(1, 'is required'),
  /** Event subscription "Verification Token": every HTTP callback must carry it. Required in webhook mode. */
  FEISHU_VERIFICATION_TOKEN: z.string().min(1).optional(),
  /** Event subscription "Encrypt Key": callbacks are then encrypted and signed (X-Lark-Signature). Required in webhook mode. */
  FEISHU_ENCRYPT_KEY: z.string().min(1).optional(),
  /** Webhook mode without FEISHU_ENCRYPT_KEY: unsigned callbacks that anyone knowing the Verification Token can forge. */
  FEISHU_ALLOW_UNSIGNED: env.bool(false),
  /** `feishu` (open.feishu.cn, China), `lark` (open.larksuite.com, international) or a base URL (proxy, fake). */
  FEISHU_DOMAIN: z
    .string()
    .refine((v) => v === 'feishu' || v === 'lark' || isHttpUrl(v), 'must be "feishu", "lark" or an http(s) URL')
    .default('feishu'),
  /** `webhook`: HTTP callbacks on FEISHU_WEBHOOK_PATH; `long-connection`: the SDK's WSClient (no public URL needed). */
  FEISHU_MODE: z.enum(['webhook', 'long-connection']).default('webhook'),
  FEISHU_WEBHOOK_PATH: z.string().regex(/^\/[\w\-./]*$/, 'must be an absolute path').default('/feishu/events'),
});
export type FeishuSettings = z.infer<typeof FeishuSettings>;

/** The SDK's `domain` option for FEISHU_DOMAIN. */
export function larkDomain(value: string): lark.Domain | string {
  if (value === 'feishu') return lark.Domain.Feishu;
  if (value === 'lark') return lark.Domain.Lark;
  return value.replace(/\/+$/, '');
}

/** Rules across variables, reported like every other configuration error. */
export function checkFeishuSettings(s: FeishuSettings): void {
  if (s.FEISHU_MODE === 'webhook' && !s.FEISHU_VERIFICATION_TOKEN) {
    throw new ConfigError('gateway-feishu', [
      { variable: 'FEISHU_VERIFICATION_TOKEN', reason: 'is required when FEISHU_MODE=webhook (callbacks are checked against it)' },
    ]);
  }
  if (s.FEISHU_MODE === 'webhook' && !s.FEISHU_ENCRYPT_KEY && !s.FEISHU_ALLOW_UNSIGNED) {
    throw new ConfigError('gateway-feishu', [
      {
        variable: 'FEISHU_ENCRYPT_KEY',
        reason: 'is required when FEISHU_MODE=webhook (callbacks are verified by their signature); set FEISHU_ALLOW_UNSIGNED=true to run without it',
      },
    ]);
  }
}
