import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerServiceMetrics } from '@twokey/service-kit';

/** One registry per service instance (not prom-client's global one), so several instances can share a test process. */
export class PairingMetrics {
  readonly registry = new Registry();
  readonly decisions: Counter<'connection' | 'decision'>;
  readonly commands: Counter<'verb' | 'outcome'>;
  readonly appendSeconds: Histogram<'stream_kind'>;
  readonly dlq: Counter;
  readonly redeliveriesSkipped: Counter;
  readonly heldDenials: Gauge;
  readonly pressureFlushes: Counter;

  constructor(collectDefaults = false) {
    const registers = [this.registry];
    this.decisions = new Counter({
      name: 'twokey_pairing_decisions_total',
      help: 'Inbound messages decided, by connection and decision (admitted, observed, denied)',
      labelNames: ['connection', 'decision'],
      registers,
    });
    this.commands = new Counter({
      name: 'twokey_pairing_commands_total',
      help: 'Admin commands handled, by verb and outcome (ok or the error code)',
      labelNames: ['verb', 'outcome'],
      registers,
    });
    this.appendSeconds = new Histogram({
      name: 'twokey_pairing_event_append_seconds',
      help: 'Latency of event store appends',
      labelNames: ['stream_kind'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.dlq = new Counter({ name: 'twokey_pairing_dlq_total', help: 'Invalid inbound messages sent to the dead-letter subject', registers });
    this.redeliveriesSkipped = new Counter({
      name: 'twokey_pairing_redeliveries_skipped_total',
      help: 'Redelivered inbound messages acked without a new decision because they were already decided',
      registers,
    });
    this.heldDenials = new Gauge({ name: 'twokey_pairing_held_denials', help: 'Denied messages not yet acked: held by the coalescer or in a MessageDenied being appended', registers });
    this.pressureFlushes = new Counter({ name: 'twokey_pairing_denial_pressure_flushes_total', help: 'Early flushes of held denials because too many were un-acked', registers });
    registerServiceMetrics(this.registry, 'pairing-service', { defaults: collectDefaults });
  }
}
