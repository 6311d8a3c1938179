/**
 * JSON.parse for platform input whose failure reason is safe to log and dead-letter. V8's SyntaxError quotes the
 * start of the input (`Unexpected token 'b', "{"text": b…" is not valid JSON`), which may be message text; here
 * only the kind of error and its position survive.
 */
export type SafeJson = { ok: true; value: unknown } | { ok: false; reason: string };

export function describeJsonError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const position = /at position (\d+)/.exec(message)?.[1];
  if (/Unexpected end of JSON input/.test(message)) return 'unexpected end of input';
  return position ? `syntax error at position ${position}` : 'syntax error';
}

export function parseJsonSafely(text: string): SafeJson {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, reason: describeJsonError(e) };
  }
}
