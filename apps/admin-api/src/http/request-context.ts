import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

export const POSITION_HEADER = 'X-Twokey-Position';
const CORRELATION = /^[A-Za-z0-9._:-]{1,200}$/;

/** The caller's X-Correlation-Id when well-formed, else a fresh one; echoed on the response. */
export function correlationIdOf(req: Request, res: Response): string {
  const given = req.get('x-correlation-id');
  const id = given && CORRELATION.test(given) ? given : randomUUID();
  res.setHeader('X-Correlation-Id', id);
  return id;
}

/**
 * Marks a read with the position its data reflects. Called in the same synchronous step that builds the view,
 * so `twokey events verify` can rebuild exactly that state.
 */
export function stampPosition(res: Response, position: number): void {
  res.setHeader(POSITION_HEADER, String(position));
}

export const secondsLeft = (isoTime: string, now = Date.now()): number =>
  Math.max(0, Math.floor((Date.parse(isoTime) - now) / 1000));
