/**
 * One inbound message: pairing (rules 2–4), brute-force limits (rule 6) and admission (rule 5).
 *
 * Order matters: a message that is not code-shaped goes straight to admission. A code-shaped message from an actor
 * not on the user allowlist is first checked against the throttles (so a throttled guesser gets no matching at
 * all), then matched. Allowlisted actors are never throttled and their non-matching code-shaped messages are just
 * messages, so strangers flooding a group cannot block the admin's own pairing there. A candidate that is not an
 * attempt (see `findCodeCandidates`) is matched too, but a miss is an ordinary message.
 */
import type { DenialReason, DomainEvent, InboundMessage } from '@twokey/contracts';
import type { Decision, Denial, DomainDeps } from './api';
import { accept, iso, reject } from './decision';
import { type CodeCandidate, findCodeCandidates } from './normalize';
import { PAIRING_POLICY } from './policy';
import type { AccessState, TokenRecord } from './state';
import { isLive, recognizedTokens } from './state';
import { failedAttemptsWithin, THROTTLE_SCOPES, throttledUntil } from './throttle';

export interface ObserveMessageCommand {
  message: InboundMessage;
  inboundSequence?: number;
  now: Date;
}

type Match = { kind: 'live'; token: TokenRecord } | { kind: 'dead'; reason: DeadCodeReason } | { kind: 'none' };
type DeadCodeReason = 'pairing-code-used' | 'pairing-code-expired';
type FailedAttemptReason = 'pairing-code-invalid' | DeadCodeReason;

export function observeMessage(state: AccessState, cmd: ObserveMessageCommand, deps: DomainDeps): Decision {
  const m = cmd.message;
  if (m.connection !== state.connection) {
    // Every token and allowlist belongs to one connection (§2); a message for another bot must never touch them.
    return reject('invalid', `message for connection ${m.connection} sent to ${state.connection}`, 'message.connection');
  }
  const candidates = findCodeCandidates(m.text);
  if (candidates.length === 0) return admission(state, cmd);
  const attempt = candidates.some((c) => c.attempt);

  const userAllowed = state.users.has(m.actor.id);
  if (!userAllowed) {
    const throttle = checkThrottle(state, cmd);
    // A throttled stranger's "hello bot?" is still just a message from a stranger.
    if (throttle.throttled) return attempt ? deny(cmd, 'pairing-throttled', throttle.events) : admission(state, cmd);
  }

  const match = matchCandidates(state, candidates, cmd.now.getTime(), deps);
  switch (match.kind) {
    case 'live':
      return onLiveToken(state, cmd, match.token, userAllowed, deps);
    case 'dead':
      return userAllowed ? admission(state, cmd) : failedAttempt(cmd, match.reason);
    case 'none':
      return userAllowed || !attempt ? admission(state, cmd) : failedAttempt(cmd, 'pairing-code-invalid');
  }
}

function onLiveToken(
  state: AccessState,
  cmd: ObserveMessageCommand,
  token: TokenRecord,
  userAllowed: boolean,
  deps: DomainDeps,
): Decision {
  const m = cmd.message;
  // Wrong place (M3): everyone there has seen a code that cannot be used there, so it is burned before a bystander
  // can redeem it where it belongs; the admin sees why in Attention and issues a new one.
  if (token.purpose === 'user' && (m.conversation.kind !== 'dm' || m.space)) return exposed(cmd, token);
  if (token.purpose === 'space') {
    if (!m.space) return exposed(cmd, token);
    if (!userAllowed) return deny(cmd, 'space-pairing-not-authorized');
  }
  const observationId = deps.newId();
  const observed: DomainEvent = {
    type: 'TokenObserved',
    data: {
      tokenId: token.tokenId,
      observationId,
      purpose: token.purpose,
      actor: m.actor,
      conversation: m.conversation,
      ...(m.space ? { space: m.space } : {}),
      platformMessageId: m.platformMessageId,
      expiresAt: iso(cmd.now.getTime() + PAIRING_POLICY.observationTtlMs),
    },
  };
  return accept([observed], { kind: 'observed', observationId });
}

/**
 * Compares each candidate's HMAC with every recognized token in constant time per comparison and without stopping
 * at the first hit, so timing does not reveal how many tokens exist or which one matched. A dead token that was
 * consumed (observed) says "used"; one that ran out, or was revoked, says "expired".
 */
function matchCandidates(state: AccessState, candidates: readonly CodeCandidate[], nowMs: number, deps: DomainDeps): Match {
  const hmacs = candidates.map((c) => deps.hmac(c.code));
  let live: TokenRecord | undefined;
  let dead: DeadCodeReason | undefined;
  for (const token of recognizedTokens(state, nowMs, PAIRING_POLICY.deadTokenMemoryMs)) {
    for (const candidateHmac of hmacs) {
      const equal = deps.equalHex(candidateHmac, token.codeHmac);
      if (equal && isLive(token, nowMs)) live ??= token;
      else if (equal) dead = token.status === 'observed' ? 'pairing-code-used' : (dead ?? 'pairing-code-expired');
    }
  }
  if (live) return { kind: 'live', token: live };
  return dead ? { kind: 'dead', reason: dead } : { kind: 'none' };
}

/**
 * Throttled already → denied without a new event. Exceeding the limit now → one PairingThrottled per scope that
 * newly exceeds, then denied. Either way the code is not matched.
 */
function checkThrottle(state: AccessState, cmd: ObserveMessageCommand): { throttled: boolean; events: DomainEvent[] } {
  const m = cmd.message;
  const nowMs = cmd.now.getTime();
  const keys = { actor: m.actor.id, conversation: m.conversation.id };
  const events: DomainEvent[] = [];
  let throttled = false;
  for (const scope of THROTTLE_SCOPES) {
    if (throttledUntil(state, scope, keys[scope], nowMs) !== undefined) {
      throttled = true;
      continue;
    }
    const attempts = failedAttemptsWithin(state, scope, keys[scope], nowMs);
    if (attempts >= PAIRING_POLICY.maxFailedAttempts) {
      throttled = true;
      events.push({
        type: 'PairingThrottled',
        data: { actorId: keys.actor, conversationId: keys.conversation, scope, attempts, until: iso(nowMs + PAIRING_POLICY.throttleMs) },
      });
    }
  }
  return { throttled, events };
}

/** Rule 5. Not code-shaped, or code-shaped from an allowlisted actor without a match. */
function admission(state: AccessState, cmd: ObserveMessageCommand): Decision {
  const m = cmd.message;
  if (!state.users.has(m.actor.id)) return deny(cmd, 'user-not-allowlisted');
  if (m.space && !state.spaces.has(m.space.id)) return deny(cmd, 'space-not-allowlisted');
  return accept([], { kind: 'admitted' });
}

/**
 * A live code seen where it cannot be used: TokenRevoked with the place (access stream, at once) and the message
 * denied through the coalescer (activity stream; one decision appends to one stream). Not a brute-force attempt.
 */
function exposed(cmd: ObserveMessageCommand, token: TokenRecord): Decision {
  const m = cmd.message;
  const exposedIn = { actor: m.actor, conversation: m.conversation, ...(m.space ? { space: m.space } : {}) };
  return deny(cmd, 'pairing-code-exposed', [{ type: 'TokenRevoked', data: { tokenId: token.tokenId, exposedIn } }]);
}

/** A failed code-shaped attempt: recorded at once (count 1) because it feeds the durable brute-force counters. */
function failedAttempt(cmd: ObserveMessageCommand, reason: FailedAttemptReason): Decision {
  const m = cmd.message;
  const at = cmd.now.toISOString();
  const denied: DomainEvent = {
    type: 'MessageDenied',
    data: {
      reason,
      actor: m.actor,
      conversation: m.conversation,
      ...(m.space ? { space: m.space } : {}),
      count: 1,
      firstSeenAt: at,
      lastSeenAt: at,
      ...(cmd.inboundSequence !== undefined ? { inboundSequences: [cmd.inboundSequence] } : {}),
    },
  };
  return accept([denied], { kind: 'denied', reason });
}

/** Any other denial: no event here; the service hands `coalesce` to the coalescer (rule 7). */
function deny(cmd: ObserveMessageCommand, reason: DenialReason, events: DomainEvent[] = []): Decision {
  const m = cmd.message;
  const coalesce: Denial = {
    reason,
    actor: m.actor,
    conversation: m.conversation,
    ...(m.space ? { space: m.space } : {}),
    at: cmd.now,
    ...(cmd.inboundSequence !== undefined ? { inboundSequence: cmd.inboundSequence } : {}),
  };
  return accept(events, { kind: 'denied', reason, coalesce });
}
