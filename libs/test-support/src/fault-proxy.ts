/**
 * A TCP relay in front of a platform fake that a test can take down and bring back, so a gateway meets an
 * unreachable platform (connections reset at once, as a dead route or a firewall answers) with the real SDK and
 * the real fake behind it. Not a fake of anything: it only forwards bytes while up.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class FaultProxy {
  private up = false;
  private readonly open = new Set<Socket>();
  /** Connections refused while down (a test can wait for the gateway's attempts). */
  refused = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {}

  /** Starts down: every connection is reset until `bringUp()`. */
  static async start(targetUrl: string): Promise<FaultProxy> {
    const u = new URL(targetUrl);
    const target = { host: u.hostname, port: Number(u.port) };
    const server = createServer();
    const proxy = new FaultProxy(server, target);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `targetUrl` with the host and port of this relay (path kept). */
  url(targetUrl: string): string {
    const u = new URL(targetUrl);
    u.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return u.toString().replace(/\/$/, targetUrl.endsWith('/') ? '/' : '');
  }

  bringUp(): void {
    this.up = true;
  }

  /** Down again: open connections are cut too. */
  takeDown(): void {
    this.up = false;
    for (const s of this.open) s.destroy();
  }

  async close(): Promise<void> {
    this.takeDown();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (!this.up) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.open.add(s);
      s.on('close', () => this.open.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
