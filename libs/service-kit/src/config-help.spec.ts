import { z } from 'zod';
import { env } from './config';
import { configHelp, describeField, wantsHelp } from './config-help';

describe('service --help', () => {
  it('is asked for with --help or -h', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp([])).toBe(false);
    expect(wantsHelp(['--helpful'])).toBe(false);
  });

  it('says of each variable whether it is required, optional or defaulted, through the env helpers', () => {
    expect(describeField(env.secret(32))).toBe('required');
    expect(describeField(z.string().optional())).toBe('optional');
    expect(describeField(z.string().min(1).default('nats://127.0.0.1:4222'))).toBe('default nats://127.0.0.1:4222');
    expect(describeField(env.int(60).pipe(z.number().min(1)))).toBe('default 60');
    expect(describeField(env.bool(true))).toBe('default true (one of 0, 1, true, false, yes, no)');
    expect(describeField(z.enum(['debug', 'info']).default('info'))).toBe('default info (one of debug, info)');
  });

  it('lists every variable of the schema, in order', () => {
    const text = configHelp('demo', 'does things', z.object({ B_SECRET: env.secret(), A_PORT: env.int(3000) }));
    expect(text).toContain('usage: node dist/apps/demo/src/main.js');
    expect(text).toMatch(/B_SECRET\s+required\n\s+A_PORT\s+default 3000\n/);
  });
});
