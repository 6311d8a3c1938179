/**
 * A tiny HTTP server for platform fakes: every request is recorded in a CallLog (method, path, query, the
 * headers a test cares about, parsed body) before a route answers it. Routes are matched by method and a
 * path pattern with `:name` segments. Shared by the Mattermost, Feishu and LINE fakes.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names; only the ones listed in `recordHeaders`. */
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON, else the raw text ('' when empty). */
  body: unknown;
  at: number;
  /** The status the fake answered with (set once answered). */
  status?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeRoute = {
  method: string;
  pattern: string;
  handle: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;
};

export class CallLog {
  readonly calls: RecordedCall[] = [];
  private waiters: { pred: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }[] = [];

  record(call: RecordedCall): void {
    this.calls.push(call);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(call)) return true;
      w.resolve(call);
      return false;
    });
  }

  filter(pred: (c: RecordedCall) => boolean): RecordedCall[] {
    return this.calls.filter(pred);
  }

  clear(): void {
    this.calls.length = 0;
  }

  /** Resolves with the first call (already recorded or future) matching `pred`; rejects after `timeoutMs`. */
  waitFor(pred: (c: RecordedCall) => boolean, timeoutMs = 5000): Promise<RecordedCall> {
    const seen = this.calls.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching call within ${timeoutMs} ms; calls: ${this.calls.map((c) => `${c.method} ${c.path}`).join(', ')}`));
      }, timeoutMs);
      const done = (c: RecordedCall) => {
        clearTimeout(timer);
        resolve(c);
      };
      this.waiters.push({ pred, resolve: done });
    });
  }
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return undefined;
  }
  return params;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export interface RecordingServerOptions {
  routes: FakeRoute[];
  /** Header names (lower case) kept in the call log, e.g. authorization. */
  recordHeaders: string[];
  /** Answer for unknown routes. */
  notFound?: (req: FakeRequest) => FakeResponse;
}

export class RecordingHttpServer {
  private constructor(
    readonly server: Server,
    readonly url: string,
    readonly log: CallLog,
  ) {}

  static async start(options: RecordingServerOptions, log?: CallLog): Promise<RecordingHttpServer> {
    const callLog = log ?? new CallLog();
    const server = createServer((req, res) => void handle(req, res));
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const rawBody = await readBody(req);
      let body: unknown = rawBody;
      if (rawBody && /json/i.test(String(req.headers['content-type'] ?? ''))) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = rawBody;
        }
      }
      const headers: Record<string, string> = {};
      for (const h of options.recordHeaders) {
        const v = req.headers[h];
        if (v !== undefined) headers[h] = Array.isArray(v) ? v.join(', ') : v;
      }
      const query = Object.fromEntries(url.searchParams.entries());
      const method = req.method ?? 'GET';
      const call: RecordedCall = { method, path: url.pathname, query, headers, body, at: Date.now() };
      callLog.record(call);
      let answer: FakeResponse | undefined;
      const base = { method, path: url.pathname, query, headers: req.headers, body, rawBody };
      try {
        for (const route of options.routes) {
          if (route.method !== method) continue;
          const params = matchPattern(route.pattern, url.pathname);
          if (!params) continue;
          answer = await route.handle({ ...base, params });
          break;
        }
        answer ??= options.notFound?.({ ...base, params: {} }) ?? { status: 404, body: { message: 'Not found' } };
      } catch (e) {
        answer = { status: 500, body: { message: `fake failed: ${(e as Error).message}` } };
      }
      call.status = answer.status;
      const payload = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      // No body (204 and the like): no content type either, as real servers answer.
      const type = answer.body === undefined ? {} : { 'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8' };
      res.writeHead(answer.status, { ...type, ...answer.headers });
      res.end(payload);
    };
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return new RecordingHttpServer(server, `http://127.0.0.1:${port}`, callLog);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** POSTs `body` (sent byte-exact) and returns status, headers and the text answer. */
export async function postRaw(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; json: () => unknown }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}
