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
