import { Counter, Gauge, Registry } from 'prom-client';
import { registerServiceMetrics } from '@twokey/service-kit';

/** One registry per gateway (not prom-client's global one), so several gateways can live in one test process. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly inboundPublished: Counter;
  readonly inboundRejected: Counter<'reason'>;
  readonly inboundRefused: Counter;
  readonly outboundSent: Counter;
  readonly outboundFailed: Counter;
  readonly bufferSize: Gauge;

  /** `collectDefaults`: the process metrics (off where several gateways share one test process). */
  constructor(labels: { connection: string; platform: string }, collectDefaults = false) {
    this.registry.setDefaultLabels(labels);
    const registers = [this.registry];
    this.inboundPublished = new Counter({ name: 'twokey_gateway_inbound_published_total', help: 'Inbound messages stored in JetStream', registers });
    this.inboundRejected = new Counter({
      name: 'twokey_gateway_inbound_rejected_total',
      help: 'Platform input that could not become a valid InboundMessage (sent to the DLQ)',
      labelNames: ['reason'],
      registers,
    });
    this.inboundRefused = new Counter({ name: 'twokey_gateway_inbound_refused_total', help: 'Inbound messages refused because the local buffer was full', registers });
    this.outboundSent = new Counter({ name: 'twokey_gateway_outbound_sent_total', help: 'SendMessage commands delivered to the platform', registers });
    this.outboundFailed = new Counter({ name: 'twokey_gateway_outbound_failed_total', help: 'SendMessage delivery attempts that failed', registers });
    this.bufferSize = new Gauge({ name: 'twokey_gateway_buffer_size', help: 'Inbound messages waiting for NATS in the local buffer', registers });
    registerServiceMetrics(this.registry, `gateway-${labels.platform}`, { defaults: collectDefaults });
  }
}
