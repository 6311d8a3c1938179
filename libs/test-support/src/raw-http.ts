import { connect, type Socket } from 'node:net';

/**
 * A raw TCP client for what fetch cannot do: send a request's head (and part of its body) and then nothing, to see
 * whether the server answers before the body, cuts a slow sender off, or refuses a connection.
 */
export interface RawExchange {
  socket: Socket;
  /** Everything received until the server closed the connection, or `waitMs` passed (then `closed` is false). */
  received(waitMs: number): Promise<{ text: string; closed: boolean }>;
  /** Resolves once what was received matches `pattern`; rejects after `waitMs`. */
  receivedMatching(pattern: RegExp, waitMs?: number): Promise<string>;
}

export async function openRaw(port: number, first = ''): Promise<RawExchange> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  let closed = false;
  const waiters: (() => void)[] = [];
  socket.on('data', (d) => {
    text += d.toString('latin1');
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('error', () => undefined); // a reset is a close too
  socket.on('close', () => {
    closed = true;
    waiters.splice(0).forEach((w) => w());
  });
  if (first) socket.write(first);
  return {
    socket,
    received: (waitMs) =>
      new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve({ text, closed });
        };
        const timer = setTimeout(done, waitMs);
        const check = () => (closed ? done() : waiters.push(check));
        check();
      }),
    receivedMatching: (pattern, waitMs = 5_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing matching ${pattern} received within ${waitMs} ms`)), waitMs);
        const check = () => {
          if (pattern.test(text)) {
            clearTimeout(timer);
            resolve(text);
          } else if (!closed) waiters.push(check);
        };
        check();
      }),
  };
}
