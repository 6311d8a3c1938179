import { CliIo, UsageError } from './io';
import { EXPORT_HELP, exportCommand } from './export';
import { REPLAY_HELP, replayCommand } from './replay';
import { VERIFY_HELP, verifyCommand } from './verify';

export const EVENTS_HELP = `usage: twokey events <command> [options]

Audit tools over the event log (read directly from NATS JetStream):

  export   write the log as NDJSON                      (twokey events export --help)
  replay   rebuild every read model from position 0     (twokey events replay --help)
  verify   compare a rebuild with the live admin-api    (twokey events verify --help)
`;

const COMMANDS: Record<string, { run: (args: string[], io: CliIo) => Promise<number>; help: string }> = {
  export: { run: exportCommand, help: EXPORT_HELP },
  replay: { run: replayCommand, help: REPLAY_HELP },
  verify: { run: verifyCommand, help: VERIFY_HELP },
};

const isHelp = (a: string | undefined) => a === '--help' || a === '-h' || a === 'help';

/** `twokey events …`; returns the exit code (0 ok, 1 failure or difference, 2 wrong usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === undefined || isHelp(group) || (group === 'events' && (command === undefined || isHelp(command)))) {
    io.stdout.write(EVENTS_HELP);
    return group === undefined ? 2 : 0;
  }
  const entry = group === 'events' && command !== undefined ? COMMANDS[command] : undefined;
  if (!entry) {
    io.stderr.write(`unknown command: ${argv.slice(0, 2).join(' ')}\n\n${EVENTS_HELP}`);
    return 2;
  }
  try {
    return await entry.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${(e as Error).message}\n\n${entry.help}`);
      return 2;
    }
    io.stderr.write(`twokey events ${command} failed: ${(e as Error).message}\n`);
    return 1;
  }
}
