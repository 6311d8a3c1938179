import { WriteBudgets, type Clock } from './write-budget';

class ManualClock implements Clock {
  t = 0;
  now = () => this.t;
  sleep = async (ms: number) => void (this.t += ms);
}

describe('WriteBudgets', () => {
  it('allows `writes` per sliding window per conversation; topics of one chat share it', async () => {
    const clock = new ManualClock();
    const b = new WriteBudgets({ writes: 2, perSeconds: 10 }, clock);
    expect(await b.take('chat', true)).toBe(true);
    clock.t = 4_000;
    expect(await b.take('chat', true)).toBe(true);
    expect(await b.take('chat', true)).toBe(false); // intermediate: dropped
    expect(await b.take('other', true)).toBe(true); // another conversation has its own budget
    expect(b.waitMs('chat')).toBe(6_000);
    expect(await b.take('chat', false)).toBe(true); // final: waited for the oldest write to leave the window
    expect(clock.t).toBe(10_000);
  });

  it('counts a write from when it completed, as the platform does on arrival', async () => {
    const clock = new ManualClock();
    const b = new WriteBudgets({ writes: 1, perSeconds: 5 }, clock);
    expect(await b.take('chat', false)).toBe(true);
    clock.t = 2_000; // the request took 2 s to arrive and answer
    b.settle('chat');
    expect(b.waitMs('chat')).toBe(5_000);
    expect(await b.take('chat', false)).toBe(true);
    expect(clock.t).toBe(7_000);
  });

  it('closes a conversation for the platform retry_after after a 429', async () => {
    const clock = new ManualClock();
    const b = new WriteBudgets({ writes: 100, perSeconds: 1 }, clock);
    b.pause('chat', 3_000);
    expect(await b.take('chat', true)).toBe(false);
    expect(await b.take('chat', false)).toBe(true);
    expect(clock.t).toBe(3_000);
    b.sweep();
  });
});
