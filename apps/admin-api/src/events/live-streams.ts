import type { Request, Response } from 'express';
import type { ReadModelChange } from '@twokey/read-models';
import type { AdminMetrics } from '../health/metrics';
import type { Projection } from '../projection/projection';

const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events of read-model changes (`event: <change type>`, `id: <position>`, `data: <change JSON>`), so
 * the console updates without polling. Tracks open streams to end them on shutdown.
 */
export class LiveStreams {
  private readonly open = new Set<Response>();

  constructor(
    private readonly projection: Projection,
    private readonly metrics: AdminMetrics,
  ) {}

  attach(req: Request, res: Response): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const send = (event: string, data: unknown, id?: number) =>
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 3000\n\n');
    send('ready', { position: this.projection.position(), caughtUp: this.projection.isCaughtUp() });
    const off = this.projection.onChange((change: ReadModelChange) => send(change.type, change, change.position));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    this.open.add(res);
    this.metrics.sseClients.set(this.open.size);
    const cleanup = () => {
      off();
      clearInterval(heartbeat);
      this.open.delete(res);
      this.metrics.sseClients.set(this.open.size);
    };
    req.once('close', cleanup);
    res.once('close', cleanup);
  }

  closeAll(): void {
    for (const res of this.open) res.end();
  }
}
