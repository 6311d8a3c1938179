import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonLogger } from '@twokey/service-kit';
import type { WebhookRoute } from './platform-adapter';

/** Larger webhook bodies are refused with 413 before any parsing; each route may set its platform's lower limit. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause(); // read no further; the 413 goes out with `Connection: close`
        reject(new BodyTooLarge());
      } else chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function serve(route: WebhookRoute, req: IncomingMessage, res: ServerResponse, logger: JsonLogger, path: string): Promise<void> {
  try {
    if (req.method !== route.method) return json(res, 405, { error: 'method not allowed' });
    if (route.requiredHeader && !req.headers[route.requiredHeader.toLowerCase()]) {
      // Refused before a byte of the body is read: an unsigned request costs us nothing but this answer.
      logger.warn('webhook request without its signature header; refused before reading the body', { path, header: route.requiredHeader });
      res.setHeader('connection', 'close');
      return json(res, 401, { error: `missing ${route.requiredHeader} header` });
    }
    const limit = Math.min(typeof route.maxBodyBytes === 'function' ? route.maxBodyBytes(req) : (route.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES), MAX_WEBHOOK_BODY_BYTES);
    const declared = Number(req.headers['content-length']);
    let raw: Buffer;
    try {
      if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge();
      raw = await readBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        logger.error('webhook body too large; refused', { path, limitBytes: limit });
        res.setHeader('connection', 'close');
        return json(res, 413, { error: 'payload too large' });
      }
      throw e;
    }
    await route.handle(req, res, raw);
    if (!res.writableEnded && !res.headersSent) res.writeHead(200).end();
  } catch (e) {
    logger.error('webhook request failed', { path, error: e });
    json(res, 500, { error: 'internal error' });
  }
}

/**
 * Express middleware for the adapter's webhook routes, mounted ahead of Nest's routes. Exact path match; the body is
 * read here as raw bytes (the app runs without a body parser), because the platforms' signatures (Slack, LINE,
 * Feishu) are computed over exactly these bytes. Express's req/res are node's IncomingMessage/ServerResponse, which
 * is all a route's `handle` (Bolt's HTTPReceiver, grammY, LINE, Lark) relies on.
 */
export function webhookMiddleware(routes: () => WebhookRoute[], logger: JsonLogger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes().find((r) => r.path === path);
    if (!route) return next();
    void serve(route, req, res, logger, path);
  };
}
