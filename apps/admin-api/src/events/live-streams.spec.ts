import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, Response } from 'express';
import type { StoredEvent } from '@twokey/contracts';
import { type ChangeSink, type ReadModelChange, initialReadModels, project } from '@twokey/read-models';
import { AdminMetrics } from '../health/metrics';
import { type LiveSource, LiveStreams, sseFrame } from './live-streams';

/** The projection's change feed over the real projector, fed one commit at a time (no event store needed here). */
class CommitFeed implements LiveSource {
  readonly models = initialReadModels();
  readonly sinks = new Set<ChangeSink>();
  private position_ = 0;

  onChange(sink: ChangeSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  position(): number {
    return this.models.position;
  }

  isCaughtUp(): boolean {
    return true;
  }

  /** Projects a commit of `n` first denials from distinct strangers in one synchronous stretch, like the subscription. */
  commitDenials(n: number): void {
    const position = ++this.position_;
    const at = new Date(Date.UTC(2026, 10, 24, 10, 0, position)).toISOString();
    const emit = (c: ReadModelChange) => {
      for (const s of this.sinks) s(c);
    };
    for (let i = 0; i < n; i++) {
      const event = {
        eventId: `0190f000-0000-7000-8000-${String(position * 10_000 + i).padStart(12, '0')}`,
        type: 'MessageDenied',
        schemaVersion: 1,
        stream: 'activity-telegram',
        streamVersion: (position - 1) * n + i + 1,
        position,
        occurredAt: at,
        correlationId: 'corr',
        causationId: 'cause',
        actor: { type: 'system', id: 'pairing-service' },
        data: {
          reason: 'space-not-allowlisted',
          actor: { id: `x${position}-${i}`, displayName: `Stranger ${i}` },
          conversation: { id: '-1001', kind: 'group' },
          space: { id: '-1001', kind: 'telegram-group' },
          count: 1,
          firstSeenAt: at,
          lastSeenAt: at,
        },
      } as StoredEvent;
      project(this.models, event, this.sinks.size > 0 ? emit : undefined);
    }
  }
}

interface Client {
  text: () => string;
  frames: (event: string) => number;
  readUntil: (done: (text: string) => boolean) => Promise<void>;
  ended: () => Promise<void>;
  close: () => void;
}

describe('LiveStreams (SSE)', () => {
  let feed: CommitFeed;
  let metrics: AdminMetrics;
  let live: LiveStreams;
  let server: Server;
  let url: string;
  /** res.write calls per stream, in attach order. */
  let writes: number[];
  const clients: Client[] = [];

  beforeEach(async () => {
    feed = new CommitFeed();
    metrics = new AdminMetrics({ position: () => 0, headPosition: async () => 0, eventsByType: () => new Map() });
    live = new LiveStreams(feed, metrics);
    writes = [];
    server = createServer((req, res) => {
      const i = writes.push(0) - 1;
      const write = res.write.bind(res);
      res.write = ((chunk: string) => {
        writes[i]++;
        return write(chunk);
      }) as typeof res.write;
      live.attach(req as unknown as Request, res as unknown as Response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    live.closeAll();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function connect(): Promise<Client> {
    const controller = new AbortController();
    const res = await fetch(url, { signal: controller.signal });
    const reader = res.body!.getReader();
    let received = '';
    let done = false;
    const readUntil = async (until: (text: string) => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!until(received)) {
        if (done) throw new Error(`the stream ended; got:\n${received.slice(-500)}`);
        if (Date.now() > deadline) throw new Error(`not received; got:\n${received.slice(-500)}`);
        const chunk = await reader.read();
        if (chunk.done) done = true;
        else received += Buffer.from(chunk.value).toString('utf8');
      }
    };
    const client: Client = {
      text: () => received,
      frames: (event) => received.split(`event: ${event}\n`).length - 1,
      readUntil,
      ended: () => readUntil(() => done),
      close: () => controller.abort(),
    };
    clients.push(client);
    await readUntil((t) => t.includes('event: ready\n'));
    return client;
  }

  async function eventually(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('sends a burst of changes to every client as the same frames, in order, in one write per client', async () => {
    const a = await connect();
    const b = await connect();
    const seen: ReadModelChange[] = [];
    feed.onChange((c) => seen.push(c));
    const written = [...writes];

    feed.commitDenials(1_000);
    feed.commitDenials(1_000);

    const expected = seen.map((c) => sseFrame(c.type, c, c.position)).join('');
    expect(seen).toHaveLength(2_000);
    for (const c of [a, b]) {
      await c.readUntil(() => c.frames('attention.changed') === 2_000);
      expect(c.text().slice(c.text().indexOf('event: ready\n'))).toMatch(/^event: ready\ndata: \{"position":0,"caughtUp":true\}\n\n/);
      expect(c.text().endsWith(expected)).toBe(true);
    }
    // Both commits were projected in one synchronous stretch: one write per stream, not one per change.
    expect(writes.map((w, i) => w - written[i])).toEqual([1, 1]);
  });

  it('listens to the projection only while a client is connected', async () => {
    expect(feed.sinks.size).toBe(0);
    const a = await connect();
    const b = await connect();
    expect(feed.sinks.size).toBe(1);
    expect((await metrics.registry.getSingleMetric('twokey_admin_sse_clients')!.get()).values[0].value).toBe(2);

    a.close();
    b.close();
    await eventually('both streams closed', () => feed.sinks.size === 0);
    expect((await metrics.registry.getSingleMetric('twokey_admin_sse_clients')!.get()).values[0].value).toBe(0);

    // A reconnecting console gets the changes again.
    const c = await connect();
    feed.commitDenials(3);
    await c.readUntil(() => c.frames('attention.changed') === 3);
  });

  it('on shutdown, writes the frames still gathered before ending each stream', async () => {
    const a = await connect();
    feed.commitDenials(10);
    live.closeAll();
    await a.ended();
    expect(a.frames('attention.changed')).toBe(10);
  });
});
