import * as lark from '@larksuiteoapi/node-sdk';
import { ConfigError, loadConfig } from '@twokey/service-kit';
import { checkFeishuSettings, FeishuSettings, larkDomain } from './config';

const base = { FEISHU_APP_ID: 'cli_a', FEISHU_APP_SECRET: 's', FEISHU_VERIFICATION_TOKEN: 'v' };

describe('Feishu settings', () => {
  it('defaults to the Feishu cloud in webhook mode on /feishu/events', () => {
    const s = loadConfig('gateway-feishu', FeishuSettings, base);
    expect(s).toMatchObject({ FEISHU_DOMAIN: 'feishu', FEISHU_MODE: 'webhook', FEISHU_WEBHOOK_PATH: '/feishu/events' });
  });

  it('maps FEISHU_DOMAIN to the SDK domain', () => {
    expect(larkDomain('feishu')).toBe(lark.Domain.Feishu);
    expect(larkDomain('lark')).toBe(lark.Domain.Lark);
    expect(larkDomain('http://127.0.0.1:9999/')).toBe('http://127.0.0.1:9999');
  });

  it('names a bad domain and missing credentials', () => {
    try {
      loadConfig('gateway-feishu', FeishuSettings, { FEISHU_DOMAIN: 'larksuite' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['FEISHU_APP_ID', 'FEISHU_APP_SECRET', 'FEISHU_DOMAIN']);
      expect((e as Error).message).toContain('FEISHU_DOMAIN: must be "feishu", "lark" or an http(s) URL');
    }
  });

  it('requires the verification token in webhook mode only', () => {
    const { FEISHU_VERIFICATION_TOKEN: _, ...noToken } = base;
    expect(() => checkFeishuSettings(loadConfig('gateway-feishu', FeishuSettings, noToken))).toThrow('FEISHU_VERIFICATION_TOKEN: is required when FEISHU_MODE=webhook');
    expect(() => checkFeishuSettings(loadConfig('gateway-feishu', FeishuSettings, { ...noToken, FEISHU_MODE: 'long-connection' }))).not.toThrow();
  });
});
