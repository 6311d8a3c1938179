/** The admin's decision on one observation, named by its id (rule 10: there is no "approve the latest"). */
import type { Decision } from './api';
import { accept, DONE, reject } from './decision';
import type { AccessState, ObservationRecord } from './state';

type Lookup = { ok: true; observation: ObservationRecord } | { ok: false; decision: Decision };

function pendingObservation(state: AccessState, observationId: string, nowMs: number): Lookup {
  const o = state.observations.get(observationId);
  if (!o) return { ok: false, decision: reject('not-found', `no observation ${observationId}`, 'observationId') };
  if (o.status === 'expired' || (o.status === 'pending' && o.expiresAtMs <= nowMs)) {
    return { ok: false, decision: reject('expired', `observation ${observationId} has expired`) };
  }
  if (o.status !== 'pending') {
    return { ok: false, decision: reject('conflict', `observation ${observationId} was already ${o.status}`) };
  }
  return { ok: true, observation: o };
}

export function approveObservation(state: AccessState, cmd: { observationId: string; now: Date }): Decision {
  const found = pendingObservation(state, cmd.observationId, cmd.now.getTime());
  if (!found.ok) return found.decision;
  const o = found.observation;
  if (o.purpose === 'user') {
    if (state.users.has(o.actor.id)) return reject('conflict', `user ${o.actor.id} is already on the allowlist`);
    return accept([{ type: 'UserApproved', data: { user: o.actor, how: 'pairing', observationId: o.observationId } }], DONE);
  }
  // Rule 4: the space code's sender must still be an allowlisted user at approval time.
  if (!state.users.has(o.actor.id)) {
    return reject('conflict', `user ${o.actor.id} who posted the space code is no longer on the allowlist`);
  }
  if (!o.space) return reject('conflict', `observation ${o.observationId} has no space`);
  if (state.spaces.has(o.space.id)) return reject('conflict', `space ${o.space.id} is already on the allowlist`);
  return accept(
    [{ type: 'SpaceApproved', data: { space: o.space, how: 'pairing', observationId: o.observationId, pairedBy: o.actor } }],
    DONE,
  );
}

export function rejectObservation(state: AccessState, cmd: { observationId: string; now: Date }): Decision {
  const found = pendingObservation(state, cmd.observationId, cmd.now.getTime());
  if (!found.ok) return found.decision;
  const { observationId, tokenId } = found.observation;
  return accept([{ type: 'ObservationRejected', data: { observationId, tokenId } }], DONE);
}
