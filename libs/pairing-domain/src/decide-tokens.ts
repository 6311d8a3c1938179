/** Issuing, revoking and expiring pairing tokens (rules 1 and 3). */
import type { DomainEvent, TokenPurpose } from '@twokey/contracts';
import type { Decision, DomainDeps } from './api';
import { formatCode, isNormalizedCode } from './code';
import { accept, DONE, iso, reject } from './decision';
import { PAIRING_POLICY } from './policy';
import type { AccessState } from './state';
import { isLive, liveTokens, recognizedTokens } from './state';

/** A fresh code is drawn again if its HMAC collides with a recognized token, so a match is never ambiguous. */
const MAX_CODE_DRAWS = 5;

export function issueToken(
  state: AccessState,
  cmd: { purpose: TokenPurpose; ttlSeconds?: number; now: Date },
  deps: DomainDeps,
): Decision {
  const { minTokenTtlSeconds: min, maxTokenTtlSeconds: max, defaultTokenTtlSeconds } = PAIRING_POLICY;
  const ttlSeconds = cmd.ttlSeconds ?? defaultTokenTtlSeconds;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < min || ttlSeconds > max) {
    return reject('invalid', `ttlSeconds must be an integer between ${min} and ${max}`, 'ttlSeconds');
  }
  const nowMs = cmd.now.getTime();
  if (liveTokens(state, nowMs).length >= PAIRING_POLICY.maxLiveTokens) {
    return reject('conflict', `at most ${PAIRING_POLICY.maxLiveTokens} live pairing tokens per connection; revoke one first`);
  }
  const taken = recognizedTokens(state, nowMs, PAIRING_POLICY.deadTokenMemoryMs).map((t) => t.codeHmac);
  for (let draw = 0; draw < MAX_CODE_DRAWS; draw++) {
    const code = deps.newCode();
    if (!isNormalizedCode(code)) throw new Error('DomainDeps.newCode must return 8 uppercase Crockford base32 symbols');
    const codeHmac = deps.hmac(code);
    if (taken.includes(codeHmac)) continue;
    const tokenId = deps.newId();
    const expiresAt = iso(nowMs + ttlSeconds * 1000);
    const issued: DomainEvent = { type: 'PairingTokenIssued', data: { tokenId, purpose: cmd.purpose, codeHmac, expiresAt } };
    return accept([issued], { kind: 'token-issued', tokenId, code: formatCode(code), expiresAt: new Date(expiresAt) });
  }
  return reject('conflict', 'could not draw a pairing code distinct from the recent ones; try again');
}

export function revokeToken(state: AccessState, cmd: { tokenId: string; now: Date }): Decision {
  const token = state.tokens.get(cmd.tokenId);
  if (!token) return reject('not-found', `no pairing token ${cmd.tokenId}`, 'tokenId');
  if (!isLive(token, cmd.now.getTime())) {
    return reject('conflict', `pairing token ${cmd.tokenId} is no longer live (${token.status === 'live' ? 'expired' : token.status})`);
  }
  return accept([{ type: 'TokenRevoked', data: { tokenId: token.tokenId } }], DONE);
}

export function expireDue(state: AccessState, cmd: { now: Date }): Decision {
  const nowMs = cmd.now.getTime();
  const events: DomainEvent[] = [];
  for (const token of state.tokens.values()) {
    if (token.status === 'live' && token.expiresAtMs <= nowMs) {
      events.push({ type: 'TokenExpired', data: { tokenId: token.tokenId } });
    }
  }
  for (const o of state.observations.values()) {
    if (o.status === 'pending' && o.expiresAtMs <= nowMs) {
      events.push({ type: 'ObservationExpired', data: { observationId: o.observationId, tokenId: o.tokenId } });
    }
  }
  return accept(events, DONE);
}
