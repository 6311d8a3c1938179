import type { Request, Response } from 'express';
import type { ChangeSink, ReadModelChange } from '@twokey/read-models';
import type { AdminMetrics } from '../health/metrics';

const HEARTBEAT_MS = 15_000;

/** What the live streams need of the projection. */
export interface LiveSource {
  onChange(listener: ChangeSink): () => void;
  position(): number;
  isCaughtUp(): boolean;
}

/** One SSE frame: `id: <position>` (when given), `event: <name>`, `data: <JSON>`. */
export const sseFrame = (event: string, data: unknown, id?: number): string =>
  `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Server-Sent Events of read-model changes (`event: <change type>`, `id: <position>`, `data: <change JSON>`), so
 * the console updates without polling. Tracks open streams to end them on shutdown.
 *
 * Changes arrive in bursts: a flood's group commit projects 500 denials in one synchronous stretch. Serializing and
 * writing each change to each stream cost ~6 ms per commit and per open console on the thread that answers the API,
 * so each change is serialized once for every stream, and a stream gets one write per event-loop turn with the
 * frames gathered meanwhile, in order.
 */
export class LiveStreams {
  /** Open streams and the frames not written to each yet. */
  private readonly open = new Map<Response, string>();
  private unsubscribe?: () => void;
  private flushScheduled = false;

  constructor(
    private readonly source: LiveSource,
    private readonly metrics: Pick<AdminMetrics, 'sseClients'>,
  ) {}

  attach(req: Request, res: Response): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n' + sseFrame('ready', { position: this.source.position(), caughtUp: this.source.isCaughtUp() }));
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    this.open.set(res, '');
    // Listen only while someone watches: without listeners the projection builds no change objects at all.
    this.unsubscribe ??= this.source.onChange(this.fanOut);
    this.metrics.sseClients.set(this.open.size);
    const cleanup = () => {
      clearInterval(heartbeat);
      if (!this.open.delete(res)) return;
      if (this.open.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
      }
      this.metrics.sseClients.set(this.open.size);
    };
    req.once('close', cleanup);
    res.once('close', cleanup);
  }

  closeAll(): void {
    this.flush();
    const streams = [...this.open.keys()];
    this.open.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.metrics.sseClients.set(0);
    for (const res of streams) res.end();
  }

  private readonly fanOut = (change: ReadModelChange): void => {
    const frame = sseFrame(change.type, change, change.position);
    for (const [res, pending] of this.open) this.open.set(res, pending + frame);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  };

  private flush(): void {
    this.flushScheduled = false;
    for (const [res, pending] of this.open) {
      if (pending === '') continue;
      this.open.set(res, '');
      res.write(pending);
    }
  }
}
