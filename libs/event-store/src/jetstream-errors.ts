/** JetStream API error codes (nats-server `server/errors.json`) the adapter reacts to. */
const JS_WRONG_LAST_SEQUENCE = 10071;
const JS_NO_MESSAGE_FOUND = 10037;

interface ApiErrorShape {
  api_error?: { code?: number; err_code?: number; description?: string };
}

const apiError = (e: unknown) => (e as ApiErrorShape | undefined)?.api_error;

/**
 * The server refused a publish because Nats-Expected-Last-Subject-Sequence did not match. Returns the subject's
 * actual last sequence when the server says it ("wrong last sequence: 42"), `null` when it does not, and
 * `undefined` when `e` is another error.
 */
export function wrongLastSequence(e: unknown): number | null | undefined {
  const err = apiError(e);
  if (err?.err_code !== JS_WRONG_LAST_SEQUENCE) return undefined;
  const m = /wrong last sequence:\s*(\d+)/i.exec(err.description ?? '');
  return m ? Number(m[1]) : null;
}

/** A direct or stream message get found nothing (e.g. no message on that subject yet). */
export function isNoMessageFound(e: unknown): boolean {
  const err = apiError(e);
  return err?.err_code === JS_NO_MESSAGE_FOUND || (err?.code === 404 && /no message found/i.test(err.description ?? ''));
}
