import { JsonLogger } from '@twokey/service-kit';
import { DeadLetters } from './dead-letters';

describe('DeadLetters', () => {
  it('H1: redacts credentials in the reason and the details, and drops secret-named details', () => {
    const lines: string[] = [];
    const dlq = new DeadLetters(() => undefined, 'dlq.gateway.x', { origin: 'gateway.x', connection: 'x', platform: 'slack' }, new JsonLogger('t', 'error', { write: (l) => void lines.push(l) }));
    const entry = dlq.send('SendMessage not delivered: Bearer xoxb-1234-5678-leakedtoken refused', {
      details: { url: 'https://u:natspassword123@nats/', botToken: 'xoxb-1-2-3', idempotencyKey: 'k-1' },
    });
    expect(entry.reason).toBe('SendMessage not delivered: Bearer [redacted] refused');
    expect(entry.details).toEqual({ url: 'https://u:[redacted]@nats/', idempotencyKey: 'k-1' });
    expect(lines.join('\n')).not.toMatch(/leakedtoken|natspassword123|xoxb-1-2-3/);
  });
});
