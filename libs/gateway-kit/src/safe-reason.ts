/**
 * An adapter error turned into a reason fit for the status answer and the console. Adapter errors are written
 * without secrets, but an SDK's inner error can still quote a request URL (Telegram's `…/bot<token>/getMe`): URLs
 * and the known token shapes are cut, whatever else the text says.
 */
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;
const TOKEN_SHAPES = [/\b\d{5,}:[A-Za-z0-9_-]{20,}/g, /\bxox[a-z]-[A-Za-z0-9-]+/g, /\bxapp-[A-Za-z0-9-]+/g, /\bbot[0-9]{5,}:\S+/gi];
const MAX_REASON_LENGTH = 300;

export function safeReason(message: string): string {
  let out = message.replace(URL_LIKE, '<url>');
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, '<redacted>');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_REASON_LENGTH ? `${out.slice(0, MAX_REASON_LENGTH - 1)}…` : out;
}
