import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import type { JetStreamClient, JetStreamManager, ObjectStore } from 'nats';
import type { Subjects } from '@twokey/contracts';

/** The services that keep a snapshot of what they fold from the event log, each in a bucket of its own. */
export type SnapshotOwner = 'pairing-service' | 'admin-api';

const BUCKET_SUFFIX: Record<SnapshotOwner, string> = { 'pairing-service': 'PAIRING_SNAPSHOTS', 'admin-api': 'ADMIN_SNAPSHOTS' };

/**
 * The object store bucket of one service's snapshots, named like the streams (deploy/nats/nats-auth.js keeps the
 * same rule for the {PAIRING_SNAPSHOTS} and {ADMIN_SNAPSHOTS} placeholders). An object store, not a KV entry: a
 * read model of 100,000 users is megabytes, far above the 1 MiB max payload; the object store chunks it.
 */
export function snapshotBucket(s: Subjects, owner: SnapshotOwner): string {
  return `${s.prefix.toUpperCase().replace(/-/g, '_')}_${BUCKET_SUFFIX[owner]}`;
}

/** Creates the bucket if it is missing (the provisioner; a service with ENSURE_STREAMS), or binds to it. */
export async function openSnapshotBucket(
  js: JetStreamClient,
  s: Subjects,
  owner: SnapshotOwner,
  o: { create: boolean; replicas?: number },
): Promise<ObjectStore> {
  const name = snapshotBucket(s, owner);
  if (!o.create) {
    // Binding without the right to create: a missing bucket is an error here, not a creation attempt.
    await (await js.jetstreamManager()).streams.info(`OBJ_${name}`);
  }
  return js.views.os(name, { replicas: o.replicas ?? 1, description: `${owner} snapshots of its state at a log position` });
}

/** What precedes the body of every snapshot object (one JSON line). */
export interface SnapshotHeader {
  /** What was folded, e.g. "pairing-state"; also the object's name. */
  kind: string;
  /** The fold's version (schema and options that change what it builds): a different one is never loaded. */
  version: string;
  /** Position of the event log the state includes: loading folds forward from here. */
  position: number;
  /** SHA-256 of the subject and body of the commit at `position`, so a snapshot of another log is not trusted. */
  commit: string;
  /** SHA-256 of the body (before compression). */
  body: string;
  /** The body is stored gzipped: JSON state shrinks ~10×, so there are fewer chunks to write and read back. */
  encoding: 'gzip';
  takenAt: string;
}

export type SnapshotLoad =
  | { status: 'loaded'; header: SnapshotHeader; body: Buffer }
  | { status: 'absent' }
  | { status: 'ignored'; reason: string };

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

const sha256 = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/**
 * Snapshots of one fold (`kind` at `version`) in an object store bucket. `load` hands back a body only when every
 * check holds: the object reads whole (the object store checks its digest), the header parses, the kind and version
 * are this fold's, the body's digest matches and the commit at its position is the one it was taken after. Anything
 * else is `ignored` with the reason: the caller folds from the start and says so. A snapshot is never trusted.
 */
export class SnapshotStore {
  constructor(
    private readonly bucket: ObjectStore,
    private readonly jsm: JetStreamManager,
    private readonly eventsStream: string,
    readonly kind: string,
    readonly version: string,
  ) {}

  /** Writes `body` as the state at `position`, replacing the previous snapshot. */
  async save(position: number, body: Uint8Array, now = new Date()): Promise<SnapshotHeader> {
    const header: SnapshotHeader = {
      kind: this.kind,
      version: this.version,
      position,
      commit: await this.commitDigest(position),
      body: sha256(body),
      encoding: 'gzip',
      takenAt: now.toISOString(),
    };
    const line = Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
    // zlib's async API compresses on the thread pool, not on the event loop.
    await this.bucket.putBlob({ name: this.kind }, Buffer.concat([line, await gzip(body, { level: 1 })]));
    return header;
  }

  async load(): Promise<SnapshotLoad> {
    let blob: Uint8Array | null;
    try {
      blob = await this.bucket.getBlob(this.kind);
    } catch (e) {
      return { status: 'ignored', reason: `the object cannot be read: ${(e as Error).message}` };
    }
    if (blob === null) return { status: 'absent' };
    const data = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    const end = data.indexOf(0x0a);
    let header: SnapshotHeader;
    try {
      if (end < 0) throw new Error('no header line');
      header = JSON.parse(data.subarray(0, end).toString('utf8')) as SnapshotHeader;
    } catch (e) {
      return { status: 'ignored', reason: `its header cannot be read: ${(e as Error).message}` };
    }
    if (header.kind !== this.kind || header.version !== this.version) {
      return { status: 'ignored', reason: `it is ${String(header.kind)} version ${String(header.version)}, this service folds ${this.kind} version ${this.version}` };
    }
    if (!Number.isSafeInteger(header.position) || header.position < 1) return { status: 'ignored', reason: 'its position is not a log position' };
    let body: Buffer;
    try {
      if (header.encoding !== 'gzip') throw new Error(`unknown encoding ${String(header.encoding)}`);
      body = await gunzip(data.subarray(end + 1));
    } catch (e) {
      return { status: 'ignored', reason: `its body cannot be unpacked: ${(e as Error).message}` };
    }
    if (sha256(body) !== header.body) return { status: 'ignored', reason: 'its body does not match its digest' };
    let commit: string;
    try {
      commit = await this.commitDigest(header.position);
    } catch (e) {
      return { status: 'ignored', reason: `the log has no commit at its position ${header.position}: ${(e as Error).message}` };
    }
    if (commit !== header.commit) return { status: 'ignored', reason: `the commit at its position ${header.position} is not the one it was taken after` };
    return { status: 'loaded', header, body };
  }

  private async commitDigest(position: number): Promise<string> {
    const m = await this.jsm.streams.getMessage(this.eventsStream, { seq: position });
    return sha256(m.subject, '\n', m.data);
  }
}
