/** Runs commands one after another the way the service does: decide, then evolve the state with the events. */
import type { DomainEvent, InboundMessage } from '@twokey/contracts';
import type { Command, Decision, DomainDeps } from '../api';
import { decide } from '../decide';
import { evolve, rehydrate } from '../evolve';
import type { AccessState } from '../state';
import { testDeps } from './deps';
import { CONNECTION, T0 } from './fixtures';

export class Session {
  state: AccessState;
  readonly log: DomainEvent[] = [];

  constructor(
    history: DomainEvent[] = [],
    readonly deps: DomainDeps = testDeps(),
  ) {
    this.state = rehydrate(CONNECTION, history);
    this.log.push(...history);
  }

  send(command: Command): Decision {
    const decision = decide(command, this.state, this.deps);
    if (decision.ok) {
      for (const e of decision.events) this.state = evolve(this.state, e);
      this.log.push(...decision.events);
    }
    return decision;
  }

  observe(message: InboundMessage, now: Date = T0, inboundSequence?: number): Decision {
    return this.send({ type: 'ObserveMessage', message, now, ...(inboundSequence !== undefined ? { inboundSequence } : {}) });
  }
}
