/**
 * Redaction by value: whatever a log line, an error text or an answer says, a configured secret or a string shaped
 * like a platform credential never leaves in it. Redaction by key (logger.ts) cannot catch a token inside a message
 * (an SDK error quoting the `…/bot<TOKEN>/getMe` URL), which is what this is for.
 *
 * Secrets are registered once per process from the validated configuration (`loadConfig` does it for every
 * variable named like a secret), so no service has to remember to.
 */

export const REDACTED = '[redacted]';

/** Shorter values are not redacted by value: replacing every "abc" in a log would destroy it and protect nothing. */
export const MIN_SECRET_LENGTH = 8;

/** Variables whose value is a secret: `*_TOKEN`, `*_SECRET`, `*_PASSWORD`, `*_KEY` (and the bare names). */
export const SECRET_VARIABLE = /(^|_)(TOKEN|SECRET|PASSWORD|KEY)$/;

/**
 * Credential shapes redacted wherever they appear, configured or not (docs/security.md lists the sources):
 * - Telegram bot token `<bot id>:<35 chars>`;
 * - Slack tokens `xoxb-` (bot), `xoxp-` (user), `xoxa-`/`xoxe-`/`xoxr-`/`xoxs-`/`xoxo-`, and app-level `xapp-`;
 * - Discord bot token `<base64 user id>.<base64 timestamp>.<hmac>` (also catches JWTs, which are secrets too);
 * - Feishu / Lark tenant, app and user access tokens `t-…`, `a-…`, `u-…`;
 * - LINE long-lived channel access tokens (about 170 base64 characters);
 * - the credential after `Bearer ` / `Bot ` / `Basic ` (an Authorization header copied into an error);
 * - the password in a URL's `user:password@`, and credentials in a query string (`?ticket=` of Slack's Socket Mode
 *   URL, `token=`, `access_token=`, `key=`, `signature=`, `sig=`).
 * Every pattern is linear in the length of the text (a log line is attacker-influenced), checked in redact.spec.ts.
 * Mattermost tokens are 26 lowercase letters and digits, exactly like every Mattermost id, so they are redacted by
 * value only (MATTERMOST_TOKEN is registered like every secret variable).
 */
const TOKEN_SHAPES: readonly RegExp[] = [
  // No \b (in a URL it follows "/bot"); the look-behind and the bounded id keep it linear on long digit runs.
  /(?<!\d)\d{1,20}:[A-Za-z0-9_-]{30,}/g,
  /\bxox[abeoprs]-[A-Za-z0-9-]{8,}/g,
  /\bxapp-[A-Za-z0-9-]{8,}/g,
  /\b[A-Za-z0-9_-]{20,30}\.[A-Za-z0-9_-]{6,12}\.[A-Za-z0-9_-]{27,}/g,
  /\b[tau]-[A-Za-z0-9]{30,}/g,
  /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{150,}={0,2}/g,
  /\b(Bearer|Bot|Basic)\s{1,4}[A-Za-z0-9._~+/-]{16,}=*/gi,
];
const URL_PASSWORD = /(\/\/[^\s/:@]*:)[^\s/@]+@/g;
const QUERY_CREDENTIAL = /([?&](?:ticket|token|access_token|key|signature|sig)=)[^&\s#"']+/gi;

const secrets = new Set<string>();
let registered: RegExp | undefined;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Remembers a secret value (and its URL-encoded form) for by-value redaction in this process. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  const before = secrets.size;
  secrets.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) secrets.add(encoded);
  if (secrets.size === before) return;
  // Longest first, so a secret that contains another is replaced whole.
  const alternatives = [...secrets].sort((a, b) => b.length - a.length).map(escape);
  registered = new RegExp(alternatives.join('|'), 'g');
}

/**
 * Registers the values of every variable of `names` that is named like a secret, plus the password of any URL
 * value (NATS_URL may carry `user:password@`).
 */
export function registerSecretsFromEnv(names: readonly string[], source: NodeJS.ProcessEnv): void {
  for (const name of names) {
    const value = source[name];
    if (typeof value !== 'string') continue;
    if (SECRET_VARIABLE.test(name)) registerSecret(value);
    for (const m of value.matchAll(/\/\/[^\s/:@]*:([^\s/@]+)@/g)) {
      registerSecret(m[1]);
      try {
        registerSecret(decodeURIComponent(m[1]));
      } catch {
        // not percent-encoded: the raw form is registered already
      }
    }
  }
}

/** Forgets the registered secrets (tests only). */
export function clearRegisteredSecrets(): void {
  secrets.clear();
  registered = undefined;
}

/** The text with every registered secret and every credential-shaped string replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = registered ? text.replace(registered, REDACTED) : text;
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, (match, scheme?: string) => (typeof scheme === 'string' && /^(Bearer|Bot|Basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED));
  return out.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(QUERY_CREDENTIAL, `$1${REDACTED}`);
}
