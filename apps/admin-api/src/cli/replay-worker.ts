/**
 * A replay worker thread: decodes the commits of the connections it was given and folds them into its own read
 * models. Read models are per connection, so connections fold independently and in parallel; within one
 * connection the main thread keeps log order (one worker per connection, messages in order).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CommitDecoder, EventDecodeError } from '@twokey/event-store';
import { initialReadModels, project, readModelCounts } from '@twokey/read-models';
import type { FromReplayWorker, ReplayWorkerData, ToReplayWorker } from './replay-protocol';

const port = parentPort!;
const { maxAttentionGroups } = workerData as ReplayWorkerData;
const decoder = new CommitDecoder();
const models = initialReadModels({ maxAttentionGroups });
let failed = false;

const answer = (m: FromReplayWorker) => port.postMessage(m);

port.on('message', (m: ToReplayWorker) => {
  if (failed) return;
  if (m.kind === 'end') return answer({ kind: 'result', counts: readModelCounts(models) });
  const bytes = new Uint8Array(m.buffer);
  try {
    for (let i = 0; i < m.streams.length; i++) {
      const data = bytes.subarray(m.offsets[i], m.offsets[i + 1]);
      for (const event of decoder.decode({ stream: m.streams[i], position: m.positions[i], data })) project(models, event);
    }
  } catch (e) {
    failed = true;
    return answer(e instanceof EventDecodeError ? { kind: 'failed', position: e.position, reason: e.reason } : { kind: 'failed', reason: String(e) });
  }
  answer({ kind: 'folded', bytes: bytes.byteLength, position: models.position, events: models.events });
});
answer({ kind: 'ready' });
