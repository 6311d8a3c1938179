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
});
