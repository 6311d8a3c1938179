/**
 * A tiny given/when/then helper for the Decider, in the spirit of emmett's DeciderSpecification:
 * `given(...history).when(command).thenEmits(events, outcome?)` or `.thenFails(code, field?)`.
 * Every event `decide` returns is also checked against the contract schema, so a spec cannot pass with an
 * event the store would refuse.
 */
import { DomainEventSchema, type DomainEvent } from '@twokey/contracts';
import type { Command, Decision, DomainDeps, DomainError, Outcome } from '../api';
import { decide } from '../decide';
import { rehydrate } from '../evolve';
import type { AccessState } from '../state';
import { testDeps } from './deps';
import { CONNECTION } from './fixtures';

export interface Then {
  readonly decision: Decision;
  /** The events, exactly; optionally the outcome (partially matched). */
  thenEmits(events: DomainEvent[], outcome?: Partial<Outcome> & Record<string, unknown>): Then;
  /** The outcome only (partially matched), whatever the events. */
  thenOutcome(outcome: Partial<Outcome> & Record<string, unknown>): Then;
  thenFails(code: DomainError['code'], field?: string): Then;
  events(): DomainEvent[];
}

export function given(...history: DomainEvent[]) {
  const state: AccessState = rehydrate(CONNECTION, history);
  return {
    state,
    when(command: Command, deps: DomainDeps = testDeps()): Then {
      return thenOf(decide(command, state, deps));
    },
  };
}

function thenOf(decision: Decision): Then {
  const self: Then = {
    decision,
    thenEmits(events, outcome) {
      expect(decision).toMatchObject({ ok: true });
      const got = self.events();
      expect(got).toEqual(events);
      if (outcome) expect(decision.ok && decision.outcome).toMatchObject(outcome);
      return self;
    },
    thenOutcome(outcome) {
      expect(decision).toMatchObject({ ok: true });
      self.events();
      expect(decision.ok && decision.outcome).toMatchObject(outcome);
      return self;
    },
    thenFails(code, field) {
      expect(decision).toMatchObject({ ok: false, error: { code } });
      if (field !== undefined) expect(!decision.ok && decision.error.field).toBe(field);
      return self;
    },
    events() {
      if (!decision.ok) throw new Error(`expected success, got ${JSON.stringify(decision.error)}`);
      for (const e of decision.events) DomainEventSchema.parse(e);
      return decision.events;
    },
  };
  return self;
}
