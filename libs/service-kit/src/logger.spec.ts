import { JsonLogger } from './logger';

function capture() {
  const lines: string[] = [];
  return { lines, sink: { write: (l: string) => void lines.push(l) } };
}

describe('JsonLogger', () => {
  it('writes one JSON object a line with service and level', () => {
    const { lines, sink } = capture();
    new JsonLogger('svc', 'info', sink).info('started', { port: 3000 });
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'info', service: 'svc', msg: 'started', port: 3000 });
  });

  it('redacts secret-looking fields at any depth', () => {
    const { lines, sink } = capture();
    new JsonLogger('svc', 'info', sink).info('x', { code: 'ABCD-EFGH', nested: { botToken: 't0k3n', text: 'hi there' }, userId: 'U1' });
    expect(lines[0]).not.toContain('ABCD-EFGH');
    expect(lines[0]).not.toContain('t0k3n');
    expect(lines[0]).not.toContain('hi there');
    expect(lines[0]).toContain('U1');
  });

  it('H1: redacts secrets by value in the message, in error texts and stacks, and in any field', () => {
    const { lines, sink } = capture();
    const token = '7000000001:AAtelegram-test-token_0123456789';
    const err = new Error(`request to http://127.0.0.1:1/bot${token}/getMe failed, reason: connect ECONNREFUSED`);
    new JsonLogger('svc', 'info', sink).child({ url: `https://api/bot${token}` }).error(`send failed: ${token}`, { error: err, detail: { reason: err.message } });
    expect(lines[0]).not.toContain('AAtelegram-test-token');
    expect(JSON.parse(lines[0])).toMatchObject({ msg: 'send failed: [redacted]', detail: { reason: expect.stringContaining('ECONNREFUSED') } });
  });

  it('H1: keeps look-alike non-secrets (idempotencyKey, statusCode, errorCode, tokenId) and still hides real ones', () => {
    const { lines, sink } = capture();
    new JsonLogger('svc', 'info', sink).info('x', {
      idempotencyKey: 'k-1',
      statusCode: 401,
      errorCode: 'ECONNREFUSED',
      exit_code: 1,
      tokenId: 'tok-1',
      apiKey: 'hide-1',
      encryptKey: 'hide-2',
      client_secret: 'hide-3',
      BOT_TOKEN: 'hide-4',
      passcode: 'hide-5',
      plaintext: 'hide-6',
      signingKey: 'hide-7',
    });
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ idempotencyKey: 'k-1', statusCode: 401, errorCode: 'ECONNREFUSED', exit_code: 1, tokenId: 'tok-1' });
    expect(lines[0]).not.toMatch(/hide-/);
  });

  it('drops entries below the configured level', () => {
    const { lines, sink } = capture();
    const log = new JsonLogger('svc', 'warn', sink);
    log.info('quiet');
    log.error('loud');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).msg).toBe('loud');
  });

  it("logs Nest's start-up chatter at debug and other Nest log calls at info", () => {
    const { lines, sink } = capture();
    const log = new JsonLogger('svc', 'info', sink);
    log.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    log.log('AppModule dependencies initialized', 'InstanceLoader');
    log.log('something the service said', 'HealthController');
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'info', msg: 'something the service said', context: 'HealthController' })]);
    const verbose = capture();
    new JsonLogger('svc', 'debug', verbose.sink).log('Mapped {/healthz, GET} route', 'RouterExplorer');
    expect(JSON.parse(verbose.lines[0])).toMatchObject({ level: 'debug', context: 'RouterExplorer' });
  });
});
