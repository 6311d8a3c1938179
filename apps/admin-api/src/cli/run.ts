import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ApiError } from './api/client';
import { activityCommand } from './commands/activity';
import { agentStatusCommand } from './commands/agent';
import { addSpaceCommand, addUserCommand, listSpacesCommand, listUsersCommand, removeSpaceCommand, removeUserCommand } from './commands/allowlists';
import { listConnectionsCommand, testConnectionCommand } from './commands/connections';
import type { CommonOptions } from './commands/context';
import { decideCommand, issueCommand, listPairingCommand, revokeCommand } from './commands/pairing';
import { statusCommand } from './commands/status';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes';
import { EXPORT_HELP, exportCommand } from './export';
import { CliIo, UsageError } from './io';
import { REPLAY_HELP, replayCommand } from './replay';
import { TARGET_HELP } from './target';
import { VERIFY_HELP, verifyCommand } from './verify';

export const EVENTS_HELP = `usage: twokey events <command> [options]

Audit tools over the event log (read directly from NATS JetStream):

  export   write the log as NDJSON                      (twokey events export --help)
  replay   rebuild every read model from position 0     (twokey events replay --help)
  verify   compare a rebuild with the live admin-api    (twokey events verify --help)
`;

function version(): string {
  for (const up of ['../../../..', '../../../../..']) {
    try {
      return (JSON.parse(readFileSync(path.join(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version: string }).version;
    } catch {
      // the other layout (dist/ or sources)
    }
  }
  return 'unknown';
}

/** The exit code and message of whatever a command threw. */
function failure(e: unknown): { code: number; message: string } {
  if (e instanceof CliError) return { code: e.exitCode, message: e.message };
  if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return { code: EXIT.usage, message: (e as Error).message };
  if (e instanceof ApiError) {
    const code = e.status === 0 ? EXIT.unreachable : [401, 403, 429].includes(e.status) ? EXIT.unauthorized : e.status === 404 ? EXIT.notFound : EXIT.failed;
    return { code, message: e.message };
  }
  return { code: EXIT.failed, message: (e as Error).message ?? String(e) };
}

type Action = (...args: never[]) => Promise<number>;

/** The whole `twokey` command tree; `run` records the exit code of the command that ran. */
function program(io: CliIo, run: (action: () => Promise<number>) => Promise<void>, signal?: AbortSignal): Command {
  const root = new Command('twokey')
    .description('Operate Twokey from a shell: pairing, allowlists, Attention, connections, the audit log, the agent bridge.\nEvery command but `events` goes through the admin API, so each action is audited with the admin as actor.')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    .addHelpText('after', `\n${TARGET_HELP}\n\n${EXIT_CODES_HELP}`);

  const api = (cmd: Command, read = true) => {
    cmd.option('--url <url>', 'a deployment\'s admin-api (token from TWOKEY_ADMIN_TOKEN or a prompt); default: the local stack');
    cmd.option('-c, --connection <id>', 'the connection (default: the only configured one; lists: all)');
    if (read) cmd.option('--json', 'print JSON');
    return cmd;
  };
  const act = <A extends Action>(fn: (...args: Parameters<A>) => Promise<number>) =>
    function (this: Command, ...args: unknown[]) {
      const positional = args.slice(0, -2) as never[];
      return run(() => (fn as (...a: unknown[]) => Promise<number>)(...positional, this.opts<CommonOptions>(), io));
    };

  api(root.command('status').description('the admin-api, who you are to it, and every connection'), true).action(act(statusCommand));

  const pairing = root.command('pairing').description('pairing codes and the observations that await approval');
  api(pairing.command('issue').description('issue a one-time pairing code (shown once)'))
    .addOption(new Option('--purpose <purpose>', 'who the code pairs').choices(['user', 'space']).default('user'))
    .option('--ttl <seconds>', 'how long the code lives')
    .action(act(issueCommand));
  api(pairing.command('list').description('active codes (never the codes themselves) and observations awaiting approval')).action(act(listPairingCommand));
  api(pairing.command('approve').argument('<observation>', 'observation id (twokey pairing list)').description('approve an observation: its user or space is allowlisted'))
    .action(act((id: string, o: CommonOptions, i: CliIo) => decideCommand('approve', id, o, i)));
  api(pairing.command('reject').argument('<observation>', 'observation id').description('reject an observation'))
    .action(act((id: string, o: CommonOptions, i: CliIo) => decideCommand('reject', id, o, i)));
  api(pairing.command('revoke').argument('<token>', 'token id').description('revoke an unused code')).action(act(revokeCommand));

  const users = root.command('users').description('authorized users (the first key)');
  api(users.command('list').description('authorized users, newest first')).action(act(listUsersCommand));
  api(users.command('add').argument('<id>', 'the stable platform user id').description('allowlist a user by id'))
    .option('--name <displayName>', 'display name')
    .option('--username <username>', 'platform username')
    .action(act(addUserCommand));
  api(users.command('remove').argument('<id>', 'the platform user id').description('remove a user from the allowlist')).action(act(removeUserCommand));

  const spaces = root.command('spaces').description('allowlisted spaces (groups, channels, workspaces)');
  api(spaces.command('list').description('allowlisted spaces, newest first')).action(act(listSpacesCommand));
  api(spaces.command('add').argument('<id>', 'the stable platform id of the space').description('allowlist a space by id'))
    .option('--kind <kind>', 'the space kind (e.g. telegram-group, slack-channel)')
    .option('--title <title>', 'a title')
    .action(act(addSpaceCommand));
  api(spaces.command('remove').argument('<id>', 'the space id').description('remove a space from the allowlist')).action(act(removeSpaceCommand));

  api(root.command('activity').description('Activity → Attention: who was denied, where and why'))
    .option('-f, --follow', 'keep printing groups that are new or grew')
    .option('--limit <n>', 'groups per page (1-200)', '50')
    .option('--interval <seconds>', 'with --follow: how often to look', '2')
    .action(act((o: CommonOptions, i: CliIo) => activityCommand(o, i, signal)));

  const connections = root.command('connections').description('platform connections');
  api(connections.command('list').description('every connection and its gateway')).action(act(listConnectionsCommand));
  api(connections.command('test').argument('[connection]', 'the connection (default: the only configured one)').description('ask the gateway to check its platform credentials (exit 1 when they fail)'))
    .action(act(testConnectionCommand));

  const agent = root.command('agent').description('the agent bridge');
  api(agent.command('status').description('what the admin-api says about the agent bridge (GET /api/v1/agent)'), false).action(act(agentStatusCommand));

  const events = root.command('events').description('the audit log, read from NATS: export, replay, verify').addHelpText('after', `\n${EVENTS_HELP}`);
  const raw: [string, string, (args: string[], io: CliIo) => Promise<number>, string][] = [
    ['export', 'write the log as NDJSON (progress on stderr)', exportCommand, EXPORT_HELP],
    ['replay', 'rebuild every read model from position 0', replayCommand, REPLAY_HELP],
    ['verify', 'compare a rebuild with the live admin-api', verifyCommand, VERIFY_HELP],
  ];
  for (const [name, description, fn, help] of raw) {
    // Their own parser reads their options (node:util parseArgs), so commander passes everything through.
    events
      .command(name)
      .description(description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[options...]')
      .action(function (this: Command) {
        return run(async () => {
          try {
            return await fn(this.args, io);
          } catch (e) {
            const f = failure(e);
            io.stderr.write(f.code === EXIT.usage ? `${f.message}\n\n${help}` : `twokey events ${name} failed: ${f.message}\n`);
            return f.code;
          }
        });
      });
  }
  return root;
}

/** `twokey …`; returns the exit code (EXIT_CODES_HELP). `signal` ends `activity --follow` (tests). */
export async function runCli(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let code: number = EXIT.ok;
  const run = async (action: () => Promise<number>) => {
    try {
      code = await action();
    } catch (e) {
      const f = failure(e);
      io.stderr.write(`twokey: ${f.message}\n`);
      code = f.code;
    }
  };
  const root = program(io, run, signal);
  const out = { writeOut: (s: string) => void io.stdout.write(s), writeErr: (s: string) => void io.stderr.write(s) };
  const configure = (cmd: Command) => {
    cmd.exitOverride().configureOutput(out);
    cmd.commands.forEach(configure);
  };
  configure(root);
  if (argv.length === 0) {
    root.outputHelp();
    return EXIT.usage;
  }
  try {
    await root.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, --version and a group without its subcommand print and "exit" 0 through here.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw e;
  }
  return code;
}
