import { connect } from 'nats';
import { startNats } from './nats-harness';

describe('startNats', () => {
  it('spawns a private JetStream server that can be restarted with its store', async () => {
    const nats = await startNats({ spawn: true });
    try {
      expect(nats.owned).toBe(true);
      let nc = await connect({ servers: nats.url });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: 'S', subjects: [`${nats.prefix}.x`] });
      await nc.jetstream().publish(`${nats.prefix}.x`, new Uint8Array([1]));
      await nc.close();

      await nats.restart();
      nc = await connect({ servers: nats.url });
      const info = await (await nc.jetstreamManager()).streams.info('S');
      expect(info.state.messages).toBe(1);
      await nc.close();
    } finally {
      await nats.dispose();
    }
  });

  it('gives every harness its own subject prefix', async () => {
    const [a, b] = await Promise.all([startNats(), startNats()]);
    try {
      expect(a.prefix).not.toBe(b.prefix);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });
});
