import { createHmac, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { Problem } from '../http/problem';
import type { AdminMetrics } from '../health/metrics';
import type { FailureLimiter } from './failure-limiter';

export type CredentialKind = 'bearer' | 'session' | 'login';

/** Characters of a credential that pick its limiter bucket (base64url: 64⁴ ≈ 16.8 M buckets per address). */
const PREFIX_CHARS = 4;

/** Markers every credential of a kind starts with: they would put all of them in one bucket, so they are skipped. */
const SHARED_MARKERS = /^(?:twokey_|v1\.)/;

/**
 * Limits wrong credentials per bucket: the client address plus a keyed fingerprint of the credential's first
 * characters.
 *
 * While a bucket is limited, every credential in it is answered 429 before it is checked, right or wrong, so the
 * answer says nothing about the credential (M1: a limiter that still checks is an oracle). A stranger sharing the
 * admin's address (NAT, proxy, the same host) fills only the buckets of the prefixes it guesses: it cannot lock the
 * admin's token out without knowing its first characters, and the limiter's bounded memory forgets buckets long
 * before all prefixes could be filled. Guessing a token stays infeasible by entropy (npm start and
 * deploy/secrets.js mint 256 random bits; sessions are HMAC-signed); the limiter bounds the work and the noise of
 * repeated guesses. The fingerprint is keyed by a per-process random key, so memory holds no token material.
 */
export class CredentialLimiter {
  private readonly key = randomBytes(32);

  constructor(
    private readonly limiter: FailureLimiter,
    private readonly metrics: AdminMetrics,
  ) {}

  bucketOf(address: string, credential: string): string {
    const prefix = credential.replace(SHARED_MARKERS, '').slice(0, PREFIX_CHARS);
    const fingerprint = createHmac('sha256', this.key).update(prefix, 'utf8').digest('base64url').slice(0, 16);
    return `${address}|${fingerprint}`;
  }

  /**
   * The result of `verify` for a presented credential: 429 while its bucket is limited (without calling `verify`),
   * 401 with `detail` when `verify` finds nothing (counted against the bucket).
   */
  check<T>(req: Request, how: CredentialKind, credential: string, verify: () => T | undefined, detail: string): T {
    const bucket = this.bucketOf(req.ip ?? 'unknown', credential);
    const wait = this.limiter.retryAfterSeconds(bucket);
    if (wait > 0) throw new Problem('rate-limited', `too many failed attempts; retry in ${wait} s`, { retryAfterSeconds: wait });
    const found = verify();
    if (found !== undefined) return found;
    this.limiter.fail(bucket);
    this.metrics.authFailures.inc({ via: how });
    throw new Problem('unauthorized', detail);
  }
}
