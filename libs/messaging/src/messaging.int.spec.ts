import { NatsConnection } from 'nats';
import { z } from 'zod';
import { subjects } from '@twokey/contracts';
import { NatsHarness, startNats } from '@twokey/test-support';
import { connectNats } from './connect';
import { RpcRemoteError, RpcUnavailable, rpcRequest, serveRpc } from './rpc';
import { DEFAULT_STREAM_OPTIONS, ensureStreams } from './streams';

describe('messaging over real NATS', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connectNats({ url: nats.url, name: 'messaging-test' });
  });
  afterAll(async () => {
    await nc.close();
    await nats.dispose();
  });

  it('creates the four streams and is idempotent', async () => {
    const s = subjects(nats.prefix);
    const jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, s);
    await ensureStreams(jsm, s);
    for (const name of Object.values(s.streams)) {
      const info = await jsm.streams.info(name);
      expect(info.config.name).toBe(name);
    }
    await ensureStreams(jsm, s, { ...DEFAULT_STREAM_OPTIONS, replicas: 3 }).catch(() => undefined);
    const events = await jsm.streams.info(s.streams.events);
    // Updating an existing stream keeps its replication (a single node cannot have 3 anyway).
    expect(events.config.num_replicas).toBe(1);
    expect(events.config.max_age).toBe(0);
    expect(events.config.subjects).toEqual([`${nats.prefix}.events.>`]);
  });

  it('answers request/reply with validated bodies and typed remote errors', async () => {
    const subject = `${nats.prefix}.rpc.test.echo`;
    const sub = serveRpc(nc, subject, 'q', async (body) => {
      const b = body as { n?: number };
      if (b.n === undefined) throw new Error('n is required');
      return { doubled: b.n * 2 };
    });
    try {
      await expect(rpcRequest(nc, subject, { n: 21 }, z.object({ doubled: z.number() }))).resolves.toEqual({ doubled: 42 });
      await expect(rpcRequest(nc, subject, {}, z.object({ doubled: z.number() }))).rejects.toBeInstanceOf(RpcRemoteError);
      await expect(rpcRequest(nc, `${nats.prefix}.rpc.nobody`, {}, z.object({}), 300)).rejects.toBeInstanceOf(RpcUnavailable);
    } finally {
      sub.unsubscribe();
    }
  });
});
