/** The CLI's exit codes (documented in `twokey --help` and the README). */
export const EXIT = {
  ok: 0,
  /** The operation failed: a problem answer (400, 409, 503 …), or `events verify` found differences. */
  failed: 1,
  /** Wrong usage: unknown command or option, missing argument, no token where one is needed. */
  usage: 2,
  /** Nothing to talk to: no local stack running, the admin-api or NATS unreachable. */
  unreachable: 3,
  /** The admin-api refused the credentials (401, 403, 429). */
  unauthorized: 4,
  /** The thing asked for does not exist (404: unknown connection, observation, or no agent bridge). */
  notFound: 5,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  the operation failed (a problem answer; events verify found differences)
  2  wrong usage (unknown command or option, missing argument or token)
  3  nothing to talk to (no local stack running; admin-api or NATS unreachable)
  4  credentials refused (401, 403, 429)
  5  not found (unknown connection or id; no agent bridge)`;

/** An error that ends the command with a given exit code and message. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
