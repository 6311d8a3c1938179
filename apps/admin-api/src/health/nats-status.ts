import type { NatsConnection } from 'nats';

/** Follows the client's status events: readiness must turn false while NATS is unreachable. */
export class NatsStatus {
  private connected = true;

  constructor(private readonly nc: NatsConnection) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.connected = false;
        else if (s.type === 'reconnect') this.connected = true;
      }
    })();
  }

  isConnected(): boolean {
    return this.connected && !this.nc.isClosed() && !this.nc.isDraining();
  }
}
