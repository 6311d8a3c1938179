import type { StoredEvent } from '@twokey/contracts';
import { decodeCommit } from './commit-codec';
import { UpcasterChain } from './upcaster-chain';
import type { UpcastingOptions } from './upcasting';

/**
 * One commit as stored, not decoded yet: for a reader that decodes elsewhere (the replay's worker threads), so the
 * thread that reads from NATS does not also pay for parsing.
 */
export interface StoredCommit {
  /** The stream its subject names. */
  stream: string;
  /** Its JetStream sequence: the position of its events. */
  position: number;
  data: Uint8Array;
}

/** Decodes stored commits exactly as the store's own readers do (same checks, same upcasting). */
export class CommitDecoder {
  private readonly chain: UpcasterChain;

  constructor(options: UpcastingOptions = {}) {
    this.chain = new UpcasterChain(options);
  }

  /** The commit's events; an EventDecodeError (carrying the position) if it cannot be read. */
  decode(commit: StoredCommit): StoredEvent[] {
    return decodeCommit(commit.data, commit.position, commit.stream, this.chain);
  }
}
