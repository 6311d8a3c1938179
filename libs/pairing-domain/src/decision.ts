/** Small constructors for Decisions so handlers read as rules, plus the exhaustiveness guard. */
import type { DomainEvent } from '@twokey/contracts';
import type { Decision, DomainError, Outcome } from './api';

export function accept(events: DomainEvent[], outcome: Outcome): Decision {
  return { ok: true, events, outcome };
}

export function reject(code: DomainError['code'], message: string, field?: string): Decision {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}

export const DONE: Outcome = { kind: 'done' };

/** Compile-time exhaustiveness: a forgotten command or event type makes the call site fail to type-check. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled variant: ${JSON.stringify(value)}`);
}

export const iso = (ms: number): string => new Date(ms).toISOString();
